// `course requeue <email>`: put a held subscriber back; the held lesson goes out at the next drip run.
import { emailArgument, heldCourse, oneCourse } from '../arguments.js';
import type { TableCommand } from '../command.js';
import { systemClock } from '../../core/ports.js';
import { operatorStore, requeuer } from '../../wiring/cli.js';
import { runRequeue } from '../held.js';

export const requeue: TableCommand = {
  kind: 'table',
  name: 'requeue',
  argument: '<email>',
  summary: ['put a held subscriber back: the held lesson goes out at the next drip run'],
  options: {},
  where: ['table', 'stack', 'course'],
  plan: (ctx) => {
    const which = heldCourse(ctx, ctx.chosen ?? oneCourse(ctx.folders, undefined, 'requeue').course.slug);
    const email = emailArgument(ctx.positional, "requeue's argument");
    // The shard count must be the drip's (DUE_SHARDS, default 8 as deployed), or the entry is never read.
    const { dueShards } = ctx.settings;
    return async () => {
      const t = await ctx.connect();
      await runRequeue({
        store: operatorStore(t),
        requeue: requeuer(t, dueShards),
        out: ctx.io.out,
        course: which,
        email,
        now: systemClock.now(),
      });
    };
  },
};
