// The web pages: signup (from the course manifest), check-your-inbox, confirmed, unsubscribe and
// error pages, sharing one small plain look. Built with hono's `html` tag, which HTML-escapes every
// interpolated value (the escaping emails use too, email/escape.ts); `raw` marks the trusted markup.
// The one inline style sheet and script are allowed by hash in the Content-Security-Policy.
import { createHash } from 'node:crypto';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Course } from '../email/manifest.js';
import type { UnsubscribeView } from '../core/unsubscribe.js';
import type { Subscriber } from '../core/model.js';
import { messagesFor } from '../i18n/messages.js';

/** What `html` answers: escaped markup, or a Promise of it when a value is a Promise (no page puts one in). */
type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

export const STYLE = `:root{--ink:#1b2430;--muted:#4b5563;--accent:#1f5f8b;--accent-dark:#174a6d;--line:#d6dce4;--bg:#f5f6f8;--ok:#1e6b3a;--err:#a31d2b}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:1.0625rem/1.6 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:40rem;margin:0 auto;padding:2rem 1rem 1rem}
.card{background:#fff;border:1px solid var(--line);border-radius:.75rem;padding:1.5rem 1.25rem;margin:0 0 1.25rem}
h1{font-size:1.75rem;line-height:1.25;margin:.25rem 0 .75rem}
h2{font-size:1.2rem;line-height:1.3;margin:0 0 .5rem}
p{margin:0 0 .9rem}
.kicker{margin:0;color:var(--muted);font-size:.85rem;font-weight:600;text-transform:uppercase;letter-spacing:.06em}
.summary{font-weight:600}
.lessons{margin:.5rem 0 0;padding-left:1.6rem}
.lessons li{margin:.2rem 0}
label{display:block;font-weight:600;margin:1rem 0 .3rem}
.optional{font-weight:400;color:var(--muted)}
input[type=email],input[type=text]{display:block;width:100%;font:inherit;padding:.6rem .75rem;border:1px solid #7b8594;border-radius:.5rem;background:#fff;color:inherit}
input[aria-invalid=true]{border:2px solid var(--err)}
button{display:inline-block;margin-top:1.25rem;font:inherit;font-weight:600;padding:.7rem 1.4rem;min-height:2.75rem;border:0;border-radius:.5rem;background:var(--accent);color:#fff;cursor:pointer}
button:hover{background:var(--accent-dark)}
button[disabled]{opacity:.65;cursor:progress}
button.primary{font-size:1.2rem;padding:.9rem 1.8rem;width:100%}
@media (min-width:40rem){button.primary{width:auto}}
input:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid #e8a100;outline-offset:2px}
a{color:var(--accent)}
.hp{position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden}
.message{margin:1rem 0 0}
.message:empty{display:none}
.message.ok,.message.error{padding:.75rem 1rem;border-radius:.25rem}
.message.ok{border-left:4px solid var(--ok);background:#e9f5ed}
.message.error{border-left:4px solid var(--err);background:#fbeaec}
.fine{font-size:.9rem;color:var(--muted);margin:1.25rem 0 0}
.address{font-weight:600;overflow-wrap:anywhere}
footer{max-width:40rem;margin:0 auto;padding:0 1rem 2rem;font-size:.85rem;color:var(--muted)}
@media (min-width:40rem){main{padding-top:3rem}.card{padding:2rem}h1{font-size:2.1rem}}`;

// Progressive enhancement of the signup form: fills the time zone and, where fetch exists, posts JSON
// and shows the answer inline (no reload). Without it the form posts normally and gets a page.
// A zone the server does not know (a browser's "Etc/Unknown", or tz data newer than the server's)
// is one the person cannot see or fix: the form is sent again without it (the course's zone applies).
const SCRIPT = `(function(){var f=document.getElementById('signup');if(!f)return;var el=function(n){return f.elements.namedItem(n)};
try{el('timezone').value=Intl.DateTimeFormat().resolvedOptions().timeZone||''}catch(e){}
if(!window.fetch||!window.JSON)return;var msg=document.getElementById('form-message');var btn=f.querySelector('button');
f.addEventListener('submit',function(ev){ev.preventDefault();['email','name'].forEach(function(n){el(n).removeAttribute('aria-invalid');el(n).removeAttribute('aria-describedby')});
btn.disabled=true;msg.className='message';msg.textContent='Sending\\u2026';
var body={email:el('email').value,name:el('name').value,timezone:el('timezone').value,website:el('website').value};if(el('course'))body.course=el('course').value;
var send=function(){return fetch(f.getAttribute('action'),{method:'POST',headers:{'Content-Type':'application/json','Accept':'application/json'},body:JSON.stringify(body)})
.then(function(r){return r.json().then(function(b){return{ok:r.ok,b:b}})})};
send().then(function(x){var e=!x.ok&&x.b&&x.b.error;if(e&&e.field==='timezone'&&body.timezone){body.timezone='';return send()}return x})
.then(function(x){if(x.ok){msg.className='message ok';msg.textContent=x.b.message;el('email').value='';el('name').value=''}
else{var e=x.b&&x.b.error||{};msg.className='message error';msg.textContent=e.message||'Something went wrong. Please try again.';
var field=e.field&&el(e.field);if(field&&field.type!=='hidden'){field.setAttribute('aria-invalid','true');field.setAttribute('aria-describedby','form-message');field.focus()}}})
.catch(function(){msg.className='message error';msg.textContent='The form could not be sent. Please check your connection and try again.'})
.then(function(){btn.disabled=false})})})();`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The policy of every page: nothing but our own style sheet and script (by hash), our own forms and fetches. */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src ${sha256(STYLE)}`,
  `script-src ${sha256(SCRIPT)}`,
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface LayoutOptions {
  course: Course;
  title: string;
  body: Markup;
  script?: boolean;
  /** Replaces the course's footer (the list of several courses has its own). */
  footer?: Markup;
}

/** A course's footer: its disclaimer (when it has one), sender and postal address. */
export function courseFooter(course: Course): Markup {
  return html`${course.disclaimer ? html`<p><strong>${course.disclaimer.label}:</strong> ${course.disclaimer.text}</p>` : ''}<p>${course.sender.name} · ${course.postalAddress}</p>`;
}

function layout({ course, title, body, script, footer }: LayoutOptions): string {
  const pageTitle = title === course.title ? course.title : `${title} · ${course.title}`;
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="${script ? 'index' : 'noindex'}">
<title>${pageTitle}</title>
<style>${raw(STYLE)}</style>
</head>
<body>
<main>
${body}
</main>
<footer>${footer ?? courseFooter(course)}</footer>
${script ? html`<script>${raw(SCRIPT)}</script>` : ''}
</body>
</html>
`;
  // `html` stays synchronous while no value is a Promise; a page must never hold one.
  if (page instanceof Promise) throw new TypeError('a page was given a Promise to render');
  return page.toString();
}

/** "one lesson a week", "one lesson every 3 days". */
export function cadencePhrase(days: number): string {
  if (days === 1) return 'one lesson a day';
  if (days === 7) return 'one lesson a week';
  if (days % 7 === 0) return `one lesson every ${days / 7} weeks`;
  return `one lesson every ${days} days`;
}

export interface SignupFormState {
  error?: { message: string; field?: string };
  values?: { email?: string; name?: string };
}

/** Where the form posts and whether it names its course (a course's own page, `/courses/<slug>`, does). */
export interface SignupFormOptions {
  /** The form's action, relative to the page; default `subscribe` (right for `/`). */
  action?: string;
  /** Adds the hidden `course` field (the slug): needed when the deployment serves several courses. */
  courseField?: boolean;
}

export function signupPage(course: Course, state: SignupFormState = {}, form: SignupFormOptions = {}): string {
  // The message is tied to the field: a live region present at page load is not announced, so a
  // screen reader learns why the focused field is invalid from its description.
  const invalid = (field: string) =>
    state.error?.field === field ? raw(' aria-invalid="true" aria-describedby="form-message" autofocus') : '';
  const lessons = course.lessons.map((l) => html`<li>${l.title}</li>`);
  const count = course.lessons.length;
  const message = state.error
    ? html`<p id="form-message" class="message error" role="status" aria-live="polite">${state.error.message}</p>`
    : html`<p id="form-message" class="message" role="status" aria-live="polite"></p>`;
  const body = html`<p class="kicker">Free email course</p>
<h1>${course.title}</h1>
<p>${course.description}</p>
<p class="summary">${count} ${count === 1 ? 'lesson' : 'lessons'}, ${cadencePhrase(course.cadenceDays).replace('one lesson', 'one')}, arriving around ${course.sendHour} in your time zone.</p>
<section class="card" aria-labelledby="signup-title">
<h2 id="signup-title">Sign up</h2>
<form id="signup" method="post" action="${form.action ?? 'subscribe'}">
<label for="email">Email address</label>
<input id="email" name="email" type="email" inputmode="email" autocomplete="email" required maxlength="254" value="${state.values?.email ?? ''}"${invalid('email')}>
<label for="name">First name <span class="optional">(optional)</span></label>
<input id="name" name="name" type="text" autocomplete="given-name" maxlength="400" value="${state.values?.name ?? ''}"${invalid('name')}>
<input id="timezone" name="timezone" type="hidden" value="">
${
  form.courseField
    ? html`<input id="course" name="course" type="hidden" value="${course.slug}">
`
    : ''
}<div class="hp" aria-hidden="true"><label for="website">Leave this field empty</label><input id="website" name="website" type="text" tabindex="-1" autocomplete="off"></div>
<button type="submit">Send me the course</button>
${message}
</form>
<p class="fine">First you will get an email to confirm your address; nothing else is sent until you click its link. Every email has a one-click unsubscribe link. We keep your address, first name, time zone, and when and where you signed up, only to send this course.</p>
</section>
<section class="card" aria-labelledby="lessons-title">
<h2 id="lessons-title">The lessons</h2>
<p>The first arrives as soon as you confirm your address, then ${cadencePhrase(course.cadenceDays)}.</p>
<ol class="lessons">${lessons}</ol>
</section>`;
  return layout({ course, title: course.title, body, script: true });
}

function simplePage(course: Course, title: string, content: Markup): string {
  const body = html`<p class="kicker">${course.title}</p>
<section class="card">
<h1>${title}</h1>
${content}
</section>`;
  return layout({ course, title, body });
}

/** `home`: the course page, relative to /subscribe (`./` with one course, `courses/<slug>` with several). */
export function checkInboxPage(course: Course, message: string, home = './'): string {
  return simplePage(course, 'Check your inbox', html`<p role="status">${message}</p><p><a href="${home}">Back to the course page</a></p>`);
}

/** `GET /` when the deployment serves several courses: each with its description, lesson count and link to its page. */
export function coursesPage(courses: readonly Course[]): string {
  const items = courses.map(
    (c) => html`<section class="card" aria-labelledby="course-${c.slug}">
<h2 id="course-${c.slug}"><a href="courses/${c.slug}">${c.title}</a></h2>
<p>${c.description}</p>
<p class="summary">${c.lessons.length} ${c.lessons.length === 1 ? 'lesson' : 'lessons'}, ${cadencePhrase(c.cadenceDays).replace('one lesson', 'one')}.</p>
<p><a href="courses/${c.slug}">About this course and sign up</a></p>
</section>`,
  );
  const body = html`<p class="kicker">Free email courses</p>
<h1>Email courses</h1>
<p>Choose a course: each is its own subscription, with its own confirmation email and its own unsubscribe link.</p>
${items}`;
  // Each course's disclaimer once, then who sends what.
  const disclaimers = [
    ...new Map(
      courses.filter((c) => c.disclaimer).map((c) => [`${c.disclaimer!.label}\u0000${c.disclaimer!.text}`, c.disclaimer!]),
    ).values(),
  ];
  const senders = [...new Set(courses.map((c) => `${c.sender.name} · ${c.postalAddress}`))];
  const footer = html`${disclaimers.map((d) => html`<p><strong>${d.label}:</strong> ${d.text}</p>`)}${senders.map((line) => html`<p>${line}</p>`)}`;
  return layout({ course: { ...courses[0]!, title: 'Email courses' }, title: 'Email courses', body, script: false, footer });
}

/**
 * The page a confirmation link opens: names the course and the masked address, and one button that
 * POSTs. Nothing submits it on load (no script): a mail scanner fetching the link changes nothing.
 * `nextLesson`: 0-based, where a returning person resumes.
 */
export function confirmPage(course: Course, maskedEmail: string, token: string, nextLesson = 0): string {
  return simplePage(
    course,
    'Confirm your subscription',
    html`<p>Start <strong>${course.title}</strong> at <span class="address">${maskedEmail}</span>?</p>
<p>One more click: press the button to confirm your address. Lesson ${nextLesson + 1} follows shortly, then ${cadencePhrase(course.cadenceDays)}.</p>
<form method="post" action="confirm?token=${encodeURIComponent(token)}">
<button type="submit" class="primary">Yes, start the course</button>
</form>
<p class="fine">Did not ask for this? Close this page: nothing is sent unless the button is pressed.</p>`,
  );
}

/**
 * `nextLesson`: 0-based, the lesson the next drip run sends (a returning person resumes where they left).
 * `learnUrl`: the learner's course page (relative), linked when given.
 */
export function confirmedPage(course: Course, status: Subscriber['status'], nextLesson = 0, scheduled = false, learnUrl?: string): string {
  const content =
    status === 'completed'
      ? html`<p>Your address is confirmed. You have already received every lesson of ${course.title}, so there is nothing more to send.</p>`
      : html`<p>Thank you: your subscription to <strong>${course.title}</strong> is confirmed.</p>
${
  scheduled
    ? html`<p>Lesson ${nextLesson + 1} is on its way at its scheduled time, around ${course.sendHour} in your time zone; after that you will receive ${cadencePhrase(course.cadenceDays)}.</p>`
    : html`<p>Lesson ${nextLesson + 1} goes out with the next scheduled send, usually within minutes. After that you will receive ${cadencePhrase(course.cadenceDays)}, around ${course.sendHour} in your time zone.</p>`
}
<p>Every email has a link to unsubscribe with one click.</p>`;
  return simplePage(course, 'You are subscribed', html`${content}${learnUrl === undefined ? '' : courseLink(course, learnUrl)}`);
}

/** The link to the learner's course page, in the course's language. */
function courseLink(course: Course, learnUrl: string): Markup {
  const m = messagesFor(course.language, course.strings);
  return html`<p class="course-link"><a href="${learnUrl}">${m.t('learn.confirmed.link')}</a> ${m.t('learn.confirmed.about')}</p>`;
}

export function unsubscribePage(course: Course, view: UnsubscribeView, token: string): string {
  if (view.maskedEmail === undefined) {
    return simplePage(
      course,
      'No subscription',
      html`<p>This subscription no longer exists, so you will not receive any more emails from ${course.title}.</p><p><a href="./">Go to the course page</a></p>`,
    );
  }
  if (view.status !== 'active' && view.status !== 'pending' && view.status !== 'completed') {
    return simplePage(
      course,
      'You are unsubscribed',
      html`<p><span class="address">${view.maskedEmail}</span> is not subscribed to ${course.title} and will not receive any more lessons.</p><p><a href="./">Go to the course page</a></p>`,
    );
  }
  return simplePage(
    course,
    'Unsubscribe?',
    html`<p>Stop sending <strong>${course.title}</strong> to <span class="address">${view.maskedEmail}</span>?</p>
<p>You will receive no more lessons. This takes effect at once.</p>
<form method="post" action="unsubscribe?token=${encodeURIComponent(token)}">
<button type="submit">Unsubscribe</button>
</form>`,
  );
}

export function unsubscribedPage(course: Course, view: UnsubscribeView): string {
  const who = view.maskedEmail === undefined ? html`You` : html`<span class="address">${view.maskedEmail}</span>`;
  return simplePage(
    course,
    'You are unsubscribed',
    html`<p>${who} will not receive any more emails from ${course.title}.</p>
<p>Changed your mind? You can <a href="./">sign up again</a> and continue where you left off.</p>`,
  );
}

const ERROR_TITLES: Record<number, string> = {
  400: 'That did not work',
  403: 'Not allowed from here',
  404: 'Page not found',
  410: 'This link has expired',
  413: 'That was too much',
  415: 'That did not work',
  429: 'Too many tries',
  503: 'Please try again soon',
};

/** `home` is the signup page's URL; the relative default is right for every route, not for deeper paths. */
export function errorPage(course: Course, status: number, message: string, home = './'): string {
  const title = ERROR_TITLES[status] ?? 'Something went wrong';
  return simplePage(course, title, html`<p role="alert">${message}</p><p><a href="${home}">Go to the course page</a></p>`);
}
