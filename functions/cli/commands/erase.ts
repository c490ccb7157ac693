// `course erase <email>`: delete everything held about one address, in every course unless --course
// names one (an erase request means all of it); a one-way hash stays, so it stays suppressed.
import { emailArgument } from '../arguments.js';
import type { TableCommand } from '../command.js';
import { systemClock } from '../../core/ports.js';
import { operatorStore } from '../../wiring/cli.js';
import { runErase } from '../person.js';

export const erase: TableCommand = {
  kind: 'table',
  name: 'erase',
  argument: '<email>',
  summary: ['delete it all, keeping only a one-way hash (stays suppressed)'],
  options: {},
  where: ['table', 'stack', 'course'],
  plan: (ctx) => {
    const email = emailArgument(ctx.positional, "erase's argument");
    return async () => {
      const store = operatorStore(await ctx.connect());
      for (const slug of ctx.slugs) await runErase({ store, out: ctx.io.out, course: slug, email, now: systemClock.now() });
    };
  },
};
