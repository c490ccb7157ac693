// The core's MessageComposer port (functions/core/ports.ts): a compiled email filled in for one person
// (personalise.ts), then composed as raw MIME (mime.ts). The drip and the subscription core reach
// rendering only through this, so functions/core never imports functions/email.
import type {
  AlreadySubscribedRecipient,
  ConfirmationRecipient,
  CourseFacts,
  LessonRecipient,
  MessageComposer,
  ServedCourse,
} from '../core/ports.js';
import { renderAlreadySubscribed } from './already-subscribed.js';
import { composeMessage, listIdFor, type OutgoingMessage } from './mime.js';
import { renderConfirmation, renderLesson, type RenderedEmail } from './personalise.js';

/** The composer every entry point passes in. It holds no state: everything comes with the call. */
export const messageComposer: MessageComposer = {
  async lesson({ course, lessons }: ServedCourse, lesson: number, to: LessonRecipient): Promise<Uint8Array> {
    const email = renderLesson({ lessons }, lesson, { name: to.name, unsubscribeUrl: to.unsubscribeUrl });
    return await compose(course, to, email, { unsubscribeUrl: to.unsubscribeUrl, listId: listIdFor(course, to.fromAddress) });
  },

  async confirmation({ course, confirmation }: ServedCourse, to: ConfirmationRecipient): Promise<Uint8Array> {
    return await compose(course, to, renderConfirmation({ confirmation }, { confirmUrl: to.confirmUrl }));
  },

  async alreadySubscribed({ course }: ServedCourse, to: AlreadySubscribedRecipient): Promise<Uint8Array> {
    return await compose(course, to, renderAlreadySubscribed(course, to));
  },
};

/** From the course's sender name at `fromAddress` (the manifest's address when absent), to one address. */
function compose(
  course: CourseFacts,
  to: { email: string; fromAddress?: string },
  email: RenderedEmail,
  list: Pick<OutgoingMessage, 'unsubscribeUrl' | 'listId'> = {},
): Promise<Buffer> {
  return composeMessage({
    from: { name: course.sender.name, address: to.fromAddress ?? course.sender.email },
    to: to.email,
    subject: email.subject,
    html: email.html,
    text: email.text,
    ...list,
  });
}
