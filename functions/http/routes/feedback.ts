// GET and POST /feedback?token=…&lesson=<n>&vote=<yes|no>: a lesson email's "Was this lesson useful?"
// links. GET (and HEAD) shows the choice with one button and changes nothing (mail scanners follow
// links); the button POSTs the same URL, which records the vote (core/votes.ts).
import { Hono, type Context } from 'hono';
import { castVote, describeVote } from '../../core/votes.js';
import { limitBody } from '../body.js';
import { wantsJson } from '../errors.js';
import { LEARNER_CSP, votedPage, votePage } from '../learner-pages.js';
import type { Site } from '../site.js';

const query = (c: Context) => ({ token: c.req.query('token'), lesson: c.req.query('lesson'), vote: c.req.query('vote') });

function answer(c: Context, body: string): Response {
  c.header('X-Robots-Tag', 'noindex');
  c.header('Cache-Control', 'no-store');
  c.header('Content-Security-Policy', LEARNER_CSP);
  return c.html(body);
}

export function feedbackRoutes(site: Site): Hono {
  const { deps } = site;
  const routes = new Hono();

  routes.get('/feedback', async (c) => {
    const view = await describeVote(deps, query(c));
    if (wantsJson(c)) return c.json({ ok: true, lesson: view.lesson + 1, vote: view.vote, previous: view.previous ?? null });
    return answer(c, votePage(view.learner, view));
  });

  // The page's button: everything is in the URL, the body (if any) is not read.
  routes.post('/feedback', limitBody, async (c) => {
    const result = await castVote(deps, query(c));
    if (wantsJson(c)) return c.json({ ok: true, lesson: result.lesson + 1, vote: result.vote, changed: result.changed });
    return answer(c, votedPage(result.learner, result));
  });
  return routes;
}
