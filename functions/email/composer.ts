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
import { isAppError, ValidationError } from '../core/errors.js';

/** The composer every entry point passes in. It holds no state: everything comes with the call. */
export const messageComposer: MessageComposer = {
  async lesson({ course, lessons }: ServedCourse, lesson: number, to: LessonRecipient): Promise<Uint8Array> {
    const email = rendered(`lesson ${lesson + 1} of ${course.slug}`, () =>
      renderLesson({ course, lessons }, lesson, { name: to.name, unsubscribeUrl: to.unsubscribeUrl, learnUrl: to.learnUrl }),
    );
    return await compose(course, to, email, { unsubscribeUrl: to.unsubscribeUrl, listId: listIdFor(course, to.fromAddress) });
  },

  async confirmation({ course, confirmation }: ServedCourse, to: ConfirmationRecipient): Promise<Uint8Array> {
    const email = rendered(`the confirmation email of ${course.slug}`, () =>
      renderConfirmation({ confirmation }, { confirmUrl: to.confirmUrl }),
    );
    return await compose(course, to, email);
  },

  async alreadySubscribed({ course }: ServedCourse, to: AlreadySubscribedRecipient): Promise<Uint8Array> {
    return await compose(course, to, renderAlreadySubscribed(course, to));
  },
};

/**
 * An email rendered for one person, or a ValidationError saying which email could not be: a typed
 * error as it is, anything else (a placeholder with no value, a lesson the compiled course lacks, a
 * bug) as `unrenderable_email`. The drip holds that person with the reason and goes on with the rest.
 */
function rendered(what: string, render: () => RenderedEmail): RenderedEmail {
  try {
    return render();
  } catch (e: unknown) {
    if (isAppError(e)) throw e;
    throw new ValidationError('unrenderable_email', `${what} cannot be rendered: ${e instanceof Error ? e.message : String(e)}`);
  }
}

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
