// "Was this lesson useful?": the learner's one vote per lesson, which they may change. The email's
// links open a page (GET and HEAD: reads only, since mail scanners follow links) whose one button
// POSTs the vote. The vote and the lesson's counters move in one conditional transaction
// (SubscriptionStore.recordVote), so double clicks and parallel changes count each learner once.
import { publishEvents } from './events.js';
import { AppError, ValidationError } from './errors.js';
import { openLearner, sentLessonIndex, type Learner } from './learner-view.js';
import type { LifecycleDeps, ListedCourse } from './lifecycle.js';
import type { FeedbackVote } from './model.js';

/** What the feedback page shows: the lesson, the vote the link chose and the vote already given. */
export interface VoteView<C extends ListedCourse = ListedCourse> {
  learner: Learner<C>;
  /** 0-based. */
  lesson: number;
  vote: FeedbackVote;
  /** The learner's vote on this lesson before this one (absent: none). */
  previous?: FeedbackVote;
}

/** After a POST: `changed` false when the vote was already this one (a second click). */
export interface VoteResult<C extends ListedCourse = ListedCourse> extends VoteView<C> {
  changed: boolean;
}

/** Attempts of the conditional write before giving up (each lost one means another click just won). */
const ATTEMPTS = 5;

/** `yes` or `no`; ValidationError 400 `invalid_vote` otherwise. */
export function parseVote(param: string | undefined): FeedbackVote {
  if (param === 'yes' || param === 'no') return param;
  throw new ValidationError('invalid_vote', 'The answer must be yes or no.', 'vote');
}

/** The feedback page (GET, HEAD): reads only. Errors as openLearner and sentLessonIndex, and `invalid_vote`. */
export async function describeVote<C extends ListedCourse>(
  deps: LifecycleDeps<C>,
  q: { token: string | undefined; lesson: string | undefined; vote: string | undefined },
): Promise<VoteView<C>> {
  const learner = await openLearner(deps, q.token);
  return viewOf(learner, q);
}

function viewOf<C extends ListedCourse>(learner: Learner<C>, q: { lesson: string | undefined; vote: string | undefined }): VoteView<C> {
  const lesson = sentLessonIndex(learner.subscriber, learner.course.course.lessons.length, q.lesson);
  const vote = parseVote(q.vote);
  const previous = learner.subscriber.votes?.[String(lesson)];
  return { learner, lesson, vote, ...(previous === undefined ? {} : { previous }) };
}

/**
 * Records the learner's vote on a lesson already sent to them (the page's button). The same vote
 * again changes nothing; another vote replaces theirs. Publishes `feedback_given` (detail: the
 * lesson, 1-based, and the vote) after a write. Errors as describeVote; AppError 409 `vote_conflict`
 * when every attempt lost to a concurrent change.
 */
export async function castVote<C extends ListedCourse>(
  deps: LifecycleDeps<C>,
  q: { token: string | undefined; lesson: string | undefined; vote: string | undefined },
): Promise<VoteResult<C>> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const view = viewOf(await openLearner(deps, q.token), q);
    const { subscriber, course } = view.learner;
    if (view.previous === view.vote) return { ...view, changed: false };
    const written = await deps.store.recordVote({
      subscriberId: subscriber.id,
      course: subscriber.course,
      lesson: view.lesson,
      vote: view.vote,
      before: subscriber.votes,
    });
    if (!written) continue;
    const at = deps.clock.now().toISOString();
    const detail = { lesson: view.lesson + 1, vote: view.vote, ...(view.previous === undefined ? {} : { previous: view.previous }) };
    await publishEvents(
      deps.events,
      [{ type: 'feedback_given', course: course.course.slug, subscriberId: subscriber.id, at, detail }],
      (e) => deps.log?.({ msg: e.message, level: e.level, error: e.error }),
    );
    const votes = { ...subscriber.votes, [String(view.lesson)]: view.vote };
    return { ...view, learner: { ...view.learner, subscriber: { ...subscriber, votes } }, changed: true };
  }
  throw new AppError('vote_conflict', 'Your answer changed at the same moment somewhere else. Please try again.', 409);
}
