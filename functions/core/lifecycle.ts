// What the subscriber lifecycle (signup.ts, confirm.ts, unsubscribe.ts, signup-outbox.ts) is given:
// its ports and settings. Two shapes: LifecycleDeps answers the HTTP routes and sends no email (the
// api Lambda holds only the courses' manifests); SubscriptionDeps adds what mails (the outbox worker
// in the drip and the local stack, the CLI's import), on the compiled courses.
import type { CourseCatalog, CourseFacts, Clock, Log, Mailer, MessageComposer, ServedCourse } from './ports.js';
import type { SignupOutbox, SubscriptionStore } from './subscription-store.js';
import type { Tokens } from './tokens.js';
import type { EventPublisher } from './events.js';

/**
 * A course as the lifecycle reads it from the catalogue: its facts and the manifest's lesson list
 * (confirm counts it). functions/email's CompiledCourse is one; so is `{ course: manifest }` alone.
 */
export interface ListedCourse {
  course: CourseFacts & { lessons: readonly unknown[] };
}

/** A listed course with its compiled emails: what the signup's emails are composed from. */
export type MailedCourse = ListedCourse & ServedCourse;

/**
 * The lifecycle's ports and settings for answering requests. `C` is the course type the caller's
 * catalogue holds: the core reads only ListedCourse's part of it and answers the caller's own
 * objects (the HTTP pages need the whole manifest).
 */
export interface LifecycleDeps<C extends ListedCourse = ListedCourse> {
  store: SubscriptionStore;
  clock: Clock;
  tokens: Tokens;
  /** Every course the deployment serves. */
  courses: CourseCatalog<C>;
  config: {
    /** Base of every link, no trailing slash. */
    publicUrl: string;
    signupsPerIpPerHour: number;
    /** The deploy's verified From address; the manifest's sender when unset. */
    senderAddress?: string;
  };
  /**
   * Sends accepted signups right after they are stored (the local stack); absent in Lambda, where the
   * drip's sweep sends them. Either way nothing the answer depends on waits for it.
   */
  outbox?: SignupOutbox;
  /** The log port, for what is worth an operator's attention but does not change the answer (a counter that failed). */
  log?: Log;
  /** Where subscription events go (signed up, confirmed, the learner's controls…); default none (core/events.ts). */
  events?: EventPublisher;
}

/** LifecycleDeps with what sends the signup's emails (confirmation, "already subscribed"). */
export interface SubscriptionDeps<C extends MailedCourse = MailedCourse> extends LifecycleDeps<C> {
  mailer: Mailer;
  /** Renders and composes the emails (functions/email/composer.ts). */
  composer: MessageComposer;
}

/** `d` in whole epoch seconds (the table's TTL unit). */
export const epochSeconds = (d: Date): number => Math.floor(d.getTime() / 1000);
