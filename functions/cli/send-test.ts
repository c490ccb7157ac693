// `course send-test --to <address> --lesson N`: one lesson, rendered and composed exactly as the drip
// does, to an address outside the list, marked as a test. No send record, no counters, no tags (so
// no SES events come back for it).
import type { Writable } from 'node:stream';
import type { Mailer } from '../core/ports.js';
import type { CompiledCourse } from '../email/compiled-course.js';
import { renderLesson } from '../email/personalise.js';
import { composeMessage, listIdFor } from '../email/mime.js';

export const TEST_SUBJECT_PREFIX = '[TEST] ';
export const TEST_HEADER = 'X-Course-Test';

export async function runSendTest(
  deps: { mailer: Mailer; compiled: CompiledCourse; publicUrl: string; out: Writable },
  options: { to: string; lesson: number; name?: string },
): Promise<{ messageId: string }> {
  const { course } = deps.compiled;
  // The unsubscribe link of a test has no subscriber behind it: it opens the "link not valid" page.
  const unsubscribeUrl = `${deps.publicUrl}/unsubscribe?token=test`;
  const learnUrl = `${deps.publicUrl}/learn?token=test`;
  const rendered = renderLesson(deps.compiled, options.lesson - 1, {
    ...(options.name ? { name: options.name } : {}),
    unsubscribeUrl,
    learnUrl,
  });
  const raw = await composeMessage({
    from: { name: course.sender.name, address: course.sender.email },
    to: options.to,
    subject: `${TEST_SUBJECT_PREFIX}${rendered.subject}`,
    html: rendered.html,
    text: rendered.text,
    unsubscribeUrl,
    listId: listIdFor(course),
    headers: { [TEST_HEADER]: 'true' },
  });
  const sent = await deps.mailer.sendRaw({ raw, to: options.to });
  deps.out.write(
    `Sent lesson ${options.lesson} of ${course.lessons.length} ("${course.lessons[options.lesson - 1]?.title ?? ''}") to ${options.to} as a test (message id ${sent.messageId}).\n`,
  );
  return sent;
}
