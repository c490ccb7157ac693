// GET and POST /confirm: the link in the confirmation email, and its page's button.
import { Hono } from 'hono';
import { confirmSubscription, describeConfirmation } from '../../core/confirm.js';
import { learnPath } from '../../core/learner-links.js';
import type { Subscriber } from '../../core/model.js';
import type { Course } from '../../email/manifest.js';
import { limitBody, linkTokenField, linkTokenOf } from '../body.js';
import { wantsJson } from '../errors.js';
import { confirmPage, confirmedPage } from '../pages.js';
import { page, type Site } from '../site.js';

export function confirmRoutes(site: Site): Hono {
  const { deps } = site;
  const routes = new Hono();
  // A later click (after a lesson went out) finds the next lesson scheduled, not due at once.
  const confirmedView = (course: Course, subscriber: Subscriber): string => {
    const scheduled = subscriber.nextSendAt !== undefined && new Date(subscriber.nextSendAt).getTime() > deps.clock.now().getTime();
    // Issued at the confirmation, so a second click answers the very same page.
    const issuedAt = subscriber.confirmedAt === undefined ? deps.clock.now() : new Date(subscriber.confirmedAt);
    const learnToken = deps.tokens.sign({ subscriberId: subscriber.id, purpose: 'learn', issuedAt });
    return confirmedPage(course, subscriber.status, subscriber.nextLesson, scheduled, learnPath(learnToken));
  };

  // Reads only (GET and HEAD alike): mail security gateways fetch every link in a message, so the
  // link opens a page whose button POSTs; nothing on the page submits it by itself.
  routes.get('/confirm', async (c) => {
    const token = c.req.query('token');
    const view = await describeConfirmation(deps, token);
    c.header('X-Robots-Tag', 'noindex');
    if (wantsJson(c)) return c.json({ ok: true, status: view.status, maskedEmail: view.maskedEmail, courseTitle: view.courseTitle });
    if (view.status === 'pending')
      return page(c, confirmPage(view.course.course, view.maskedEmail, token ?? '', view.subscriber.nextLesson));
    return page(c, confirmedView(view.course.course, view.subscriber));
  });

  // The confirm page's button: activates; a repeated POST answers the same page and changes nothing.
  routes.post('/confirm', limitBody, linkTokenField, async (c) => {
    const { subscriber, course } = await confirmSubscription(deps, linkTokenOf(c));
    if (wantsJson(c)) return c.json({ ok: true, status: subscriber.status });
    return page(c, confirmedView(course.course, subscriber));
  });
  return routes;
}
