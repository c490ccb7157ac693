// `course send-test --to <address> --lesson <N>`: one lesson to an address outside the list, marked
// [TEST]; it touches no subscriber and moves no counter.
import { emailArgument, oneCourse } from '../arguments.js';
import { textValue, UsageError, type TableCommand } from '../command.js';
import { compiled, testMailer } from '../../wiring/cli.js';
import { runSendTest } from '../send-test.js';
import { linkBase } from '../target.js';

export const sendTest: TableCommand = {
  kind: 'table',
  name: 'send-test',
  summary: ['one lesson to an address outside the list, marked [TEST]'],
  options: {
    to: { type: 'string', value: '<address>', required: true, doc: 'the address to send it to' },
    lesson: { type: 'string', value: '<N>', required: true, doc: "the lesson's number, from 1" },
    name: { type: 'string', value: '<name>', doc: 'the name to greet (default: none)' },
  },
  where: ['table', 'stack', 'course'],
  plan: (ctx) => {
    const { values, io } = ctx;
    const folder = oneCourse(ctx.folders, ctx.chosen, 'send-test');
    const course = folder.course;
    const to = emailArgument(textValue(values.to), '--to');
    // Digits only: Number() would also take "0x1", "1e0" or " 1".
    const lessonText = textValue(values.lesson) ?? '';
    const lesson = /^\d+$/.test(lessonText) ? Number(lessonText) : NaN;
    if (!Number.isInteger(lesson) || lesson < 1 || lesson > course.lessons.length) {
      throw new UsageError(`--lesson must be a lesson number from 1 to ${course.lessons.length}`);
    }
    const name = textValue(values.name);
    return async () => {
      const t = await ctx.connect();
      await runSendTest(
        { mailer: testMailer(t), compiled: await compiled(io, folder), publicUrl: linkBase(t, ctx.settings), out: io.out },
        { to, lesson, ...(name ? { name } : {}) },
      );
    };
  },
};
