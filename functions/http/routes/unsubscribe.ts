// GET and POST /unsubscribe: the link in every lesson, its page's button, and mail clients' one-click.
import { Hono } from 'hono';
import { describeUnsubscribe, unsubscribe } from '../../core/unsubscribe.js';
import { limitBody, linkTokenField, linkTokenOf } from '../body.js';
import { wantsJson } from '../errors.js';
import { unsubscribePage, unsubscribedPage } from '../pages.js';
import { page, type Site } from '../site.js';

export function unsubscribeRoutes(site: Site): Hono {
  const { deps } = site;
  const routes = new Hono();
  // Reads only: mail security scanners fetch every link in a message.
  routes.get('/unsubscribe', async (c) => {
    const token = c.req.query('token');
    const { view, course } = await describeUnsubscribe(deps, token);
    c.header('X-Robots-Tag', 'noindex');
    if (wantsJson(c)) return c.json({ ok: true, ...view });
    return page(c, unsubscribePage(course.course, view, token ?? ''));
  });

  // A person's button, or a mail client's RFC 8058 one-click (body `List-Unsubscribe=One-Click`).
  routes.post('/unsubscribe', limitBody, linkTokenField, async (c) => {
    const { view, course } = await unsubscribe(deps, linkTokenOf(c));
    if (wantsJson(c)) return c.json({ ok: true, ...view });
    return page(c, unsubscribedPage(course.course, view));
  });
  return routes;
}
