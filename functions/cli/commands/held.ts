// `course held`: who the drip holds because SES refused their lesson, and why.
import { heldCourse, SEGMENTS_OPTION, segmentsArgument } from '../arguments.js';
import { textValue, type TableCommand } from '../command.js';
import { operatorStore } from '../../wiring/cli.js';
import { runHeld } from '../held.js';

export const held: TableCommand = {
  kind: 'table',
  name: 'held',
  summary: ['who the drip holds because SES refused their lesson, and why'],
  options: { segments: SEGMENTS_OPTION },
  where: ['table', 'stack', 'course'],
  plan: (ctx) => {
    const segments = segmentsArgument(textValue(ctx.values.segments));
    return async () => {
      const store = operatorStore(await ctx.connect());
      for (const slug of ctx.slugs) await runHeld({ store, out: ctx.io.out, course: heldCourse(ctx, slug), segments });
    };
  },
};
