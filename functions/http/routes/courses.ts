// The course pages. One course: its signup page at `/`. Several: the list at `/` (its own words in
// the language the browser's Accept-Language picks among the catalogues), each course's signup page
// at /courses/<slug>.
import { Hono } from 'hono';
import { NotFoundError } from '../../core/errors.js';
import { coursesPage, signupPage } from '../pages.js';
import { page, type Site } from '../site.js';
import { messagesFor } from '../../i18n/messages.js';
import { languageFromAcceptLanguage } from '../../i18n/negotiate.js';

export function courseRoutes(site: Site): Hono {
  const { courses } = site.deps;
  const routes = new Hono();

  routes.get('/', (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    if (!site.several) return page(c, signupPage(site.house));
    // A cache must keep one answer per language asked for.
    c.header('Vary', 'Accept-Language');
    const messages = messagesFor(languageFromAcceptLanguage(c.req.header('accept-language')));
    return page(
      c,
      coursesPage(
        courses.all.map((x) => x.course),
        messages,
      ),
    );
  });

  routes.get('/courses/:slug', (c) => {
    const chosen = courses.get(c.req.param('slug'));
    if (chosen === undefined) throw new NotFoundError('unknown_course', 'There is no such course.');
    c.header('Cache-Control', 'public, max-age=300');
    return page(c, signupPage(chosen.course, {}, { action: '../subscribe', courseField: true }));
  });
  return routes;
}
