// `course stats`: the funnel and a per-lesson table, with bar charts.
import type { TableCommand } from '../command.js';
import { operatorStore } from '../../wiring/cli.js';
import { runStats } from '../stats.js';

export const stats: TableCommand = {
  kind: 'table',
  name: 'stats',
  summary: ['the funnel and a per-lesson table, with bar charts'],
  options: {},
  where: ['table', 'stack', 'course'],
  plan: (ctx) => async () => {
    const store = operatorStore(await ctx.connect());
    await runStats({ store, out: ctx.io.out, courses: ctx.courses, ...(ctx.chosen === undefined ? {} : { only: ctx.chosen }) });
  },
};
