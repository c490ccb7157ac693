// `course held`: who the drip holds because SES refused their lesson, and why.
import { heldCourse } from '../arguments.js';
import type { TableCommand } from '../command.js';
import { operatorStore } from '../../wiring/cli.js';
import { runHeld } from '../held.js';

export const held: TableCommand = {
  kind: 'table',
  name: 'held',
  summary: ['who the drip holds because SES refused their lesson, and why'],
  options: {},
  where: ['table', 'stack', 'course'],
  plan: (ctx) => async () => {
    const store = operatorStore(await ctx.connect());
    for (const slug of ctx.slugs) await runHeld({ store, out: ctx.io.out, course: heldCourse(ctx, slug) });
  },
};
