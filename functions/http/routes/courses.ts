// The course pages. One course: its signup page at `/`. Several: the list at `/`, each course's
// signup page at /courses/<slug>.
import { Hono } from 'hono';
import { NotFoundError } from '../../core/errors.js';
import { coursesPage, signupPage } from '../pages.js';
import { page, type Site } from '../site.js';

export function courseRoutes(site: Site): Hono {
  const { courses } = site.deps;
  const routes = new Hono();

  routes.get('/', (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return page(c, site.several ? coursesPage(courses.all.map((x) => x.course)) : signupPage(site.house));
  });

  routes.get('/courses/:slug', (c) => {
    const chosen = courses.get(c.req.param('slug'));
    if (chosen === undefined) throw new NotFoundError('unknown_course', 'There is no such course.');
    c.header('Cache-Control', 'public, max-age=300');
    return page(c, signupPage(chosen.course, {}, { action: '../subscribe', courseField: true }));
  });
  return routes;
}
