// The links a learner's lesson emails and pages carry to their course page (/learn), a lesson's web
// version (/learn/lessons/<n>) and the feedback page (/feedback), all with the one `learn` token of
// the subscription (tokens.ts). Pure URL work: the HTTP routes of the same names answer them.
import type { FeedbackVote } from './model.js';

/** A lesson email's links, each absolute. */
export interface LessonLinks {
  /** The learner's course page. */
  learnUrl: string;
  /** This lesson's web version. */
  webUrl: string;
  feedbackYesUrl: string;
  feedbackNoUrl: string;
}

/** The learner's course page, `<publicUrl>/learn?token=…` (`publicUrl` without a trailing slash). */
export function learnUrlOf(publicUrl: string, token: string): string {
  return `${publicUrl}/learn?token=${encodeURIComponent(token)}`;
}

/** The course page's path relative to any page at the site's root (`/confirm`, `/feedback`, `/learn`). */
export function learnPath(token: string): string {
  return `learn?token=${encodeURIComponent(token)}`;
}

/** Lesson `n`'s web version (1-based), relative to the site's root like learnPath. */
export function lessonPath(token: string, n: number): string {
  return `learn/lessons/${n}?token=${encodeURIComponent(token)}`;
}

/** The feedback page of lesson `n` (1-based) with `vote` chosen, relative to the site's root. */
export function feedbackPath(token: string, n: number, vote: FeedbackVote): string {
  return `feedback?token=${encodeURIComponent(token)}&lesson=${n}&vote=${vote}`;
}

/**
 * The links of lesson `lessonIndex` (0-based) made from the course page's absolute URL (learnUrlOf):
 * the other routes sit beside `/learn`, so a public URL with a path of its own keeps it.
 */
export function lessonLinks(learnUrl: string, lessonIndex: number): LessonLinks {
  const page = new URL(learnUrl);
  const token = page.searchParams.get('token') ?? '';
  const at = (path: string) => new URL(path, page).href;
  const n = lessonIndex + 1;
  return {
    learnUrl: page.href,
    webUrl: at(lessonPath(token, n)),
    feedbackYesUrl: at(feedbackPath(token, n, 'yes')),
    feedbackNoUrl: at(feedbackPath(token, n, 'no')),
  };
}
