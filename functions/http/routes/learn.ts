// GET /learn and GET /learn/lessons/<n>: the learner's course page and a lesson's web version, both
// reached with the subscription's `learn` token. Reads only (GET and HEAD alike): the page's controls
// POST to /learn/{pause,resume,next,restart,settings} (learn-controls.ts), which answer with a 303 back
// here naming what they did (`done=`).
import { Hono, type Context } from 'hono';
import { lessonsSent, openLearner, learnerPaceOf, sentLessonIndex } from '../../core/learner-view.js';
import { learnPath, learnUrlOf } from '../../core/learner-links.js';
import { AppError } from '../../core/errors.js';
import type { CompiledEmail } from '../../core/ports.js';
import { renderLesson } from '../../email/personalise.js';
import { wantsJson } from '../errors.js';
import { DONE_ACTIONS, LEARNER_CSP, learnerPage, WEB_LESSON_CSP, webLessonPage, type DoneAction } from '../learner-pages.js';
import type { Site } from '../site.js';

/**
 * A course's compiled lessons by slug (undefined: not compiled here), for the web versions: the local
 * stack's catalogue holds them; the api Lambda reads them on the first lesson page it shows.
 */
export type LessonSource = (slug: string) => Promise<readonly CompiledEmail[] | undefined>;

/** What a learner's page answers besides its body: not indexed, never cached, its own policy. */
function learnerHeaders(c: Context, csp: string): void {
  c.header('X-Robots-Tag', 'noindex');
  c.header('Cache-Control', 'no-store');
  c.header('Content-Security-Policy', csp);
}

export function learnRoutes(site: Site, lessons: LessonSource): Hono {
  const { deps } = site;
  const routes = new Hono();

  routes.get('/learn', async (c) => {
    const learner = await openLearner(deps, c.req.query('token'));
    const { subscriber, course } = learner;
    if (wantsJson(c)) {
      const sent = lessonsSent(subscriber, course.course.lessons.length);
      return c.json({
        ok: true,
        course: course.course.slug,
        lessons: course.course.lessons.length,
        sent,
        status: subscriber.status,
        ...learnerPaceOf(subscriber, course.course),
        nextSendAt: subscriber.nextSendAt,
        votes: subscriber.votes ?? {},
      });
    }
    const done = DONE_ACTIONS.find((a: DoneAction) => a === c.req.query('done'));
    const unsubscribeToken = deps.tokens.sign({ subscriberId: subscriber.id, purpose: 'unsubscribe', issuedAt: deps.clock.now() });
    learnerHeaders(c, LEARNER_CSP);
    return c.html(
      learnerPage(learner, {
        now: deps.clock.now(),
        ...(done === undefined ? {} : { done }),
        unsubscribeUrl: `unsubscribe?token=${unsubscribeToken}`,
      }),
    );
  });

  routes.get('/learn/lessons/:n', async (c) => {
    const learner = await openLearner(deps, c.req.query('token'));
    const { subscriber, course, token } = learner;
    const index = sentLessonIndex(subscriber, course.course.lessons.length, c.req.param('n'));
    const all = await lessons(course.course.slug).catch((e: unknown) => {
      throw new AppError('lesson_unavailable', 'This lesson cannot be shown here right now.', 503, { cause: e });
    });
    if (all?.[index] === undefined) throw new AppError('lesson_unavailable', 'This lesson cannot be shown here right now.', 503);
    const { publicUrl } = deps.config;
    const unsubscribeToken = deps.tokens.sign({ subscriberId: subscriber.id, purpose: 'unsubscribe', issuedAt: deps.clock.now() });
    // The email as it was sent to this learner: their name, their links; nothing that tracks.
    const email = renderLesson({ lessons: all }, index, {
      ...(subscriber.name === undefined ? {} : { name: subscriber.name }),
      unsubscribeUrl: `${publicUrl}/unsubscribe?token=${unsubscribeToken}`,
      learnUrl: learnUrlOf(publicUrl, token),
    });
    if (wantsJson(c)) return c.json({ ok: true, lesson: index + 1, subject: email.subject, html: email.html });
    learnerHeaders(c, WEB_LESSON_CSP);
    // From /learn/lessons/<n>, the course page is two folders up.
    return c.html(webLessonPage(email.html, { course: course.course, number: index + 1, back: `../../${learnPath(token)}` }));
  });
  return routes;
}
