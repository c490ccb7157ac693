// `course migrate-suppressions`: once, after upgrading, suppress every bounced or complained address
// under its mailbox too. Suppressions are per table, not per course: no --course.
import type { TableCommand } from '../command.js';
import { systemClock } from '../../core/ports.js';
import { operatorStore } from '../../wiring/cli.js';
import { runMigrateSuppressions } from '../suppressions.js';

export const migrateSuppressions: TableCommand = {
  kind: 'table',
  name: 'migrate-suppressions',
  summary: [
    'once, after upgrading: suppress every bounced or complained address under',
    'its mailbox too (so a +tag or dotted spelling of it is never mailed)',
  ],
  options: {},
  where: ['table', 'stack'],
  plan: (ctx) => async () =>
    void (await runMigrateSuppressions({ store: operatorStore(await ctx.connect()), out: ctx.io.out, now: systemClock.now() })),
};
