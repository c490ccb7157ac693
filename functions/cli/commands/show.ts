// `course show <email>`: everything held about one address, in each course (or the one asked for).
import { emailArgument } from '../arguments.js';
import type { TableCommand } from '../command.js';
import { operatorStore } from '../../wiring/cli.js';
import { runShow } from '../person.js';

export const show: TableCommand = {
  kind: 'table',
  name: 'show',
  argument: '<email>',
  summary: ['everything held about one address (with the pace and votes in words)'],
  options: {},
  where: ['table', 'stack', 'course'],
  plan: (ctx) => {
    const email = emailArgument(ctx.positional, "show's argument");
    return async () => {
      const store = operatorStore(await ctx.connect());
      for (const [i, slug] of ctx.slugs.entries()) {
        if (i > 0) ctx.io.out.write('\n');
        const courseInfo = ctx.courses.find((c) => c.slug === slug);
        await runShow({ store, out: ctx.io.out, course: slug, email, ...(courseInfo === undefined ? {} : { courseInfo }) });
      }
    };
  },
};
