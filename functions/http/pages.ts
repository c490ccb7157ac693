// The web pages: signup (from the course manifest), check-your-inbox, confirmed, unsubscribe and
// error pages, sharing one small plain look. Every word the product adds comes from the course's
// message catalogue (functions/i18n), and every page carries the course's `lang` and `dir`. Built
// with hono's `html` tag, which HTML-escapes every interpolated value (the escaping emails use too,
// email/escape.ts); `raw` marks the trusted markup. The one inline style sheet and script are allowed
// by hash in the Content-Security-Policy: the script's words come in the form's data attributes.
import { createHash } from 'node:crypto';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Course } from '../email/manifest.js';
import type { UnsubscribeView } from '../core/unsubscribe.js';
import type { Subscriber } from '../core/model.js';
import type { AppError } from '../core/errors.js';
import { escapeHtml } from '../email/escape.js';
import {
  cadenceValues,
  courseMessages,
  formatHtml,
  formatSendHour,
  languageName,
  type MessageKey,
  type MessageValues,
  type Messages,
} from '../i18n/messages.js';
import { en } from '../i18n/catalogues/en.js';

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
.lessons{margin:.5rem 0 0;padding-inline-start:1.6rem}
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
.hp{position:absolute;width:1px;height:1px;margin:-1px;padding:0;border:0;overflow:hidden;clip:rect(0 0 0 0);clip-path:inset(50%);white-space:nowrap}
.message{margin:1rem 0 0}
.message:empty{display:none}
.message.ok,.message.error{padding:.75rem 1rem;border-radius:.25rem}
.message.ok{border-inline-start:4px solid var(--ok);background:#e9f5ed}
.message.error{border-inline-start:4px solid var(--err);background:#fbeaec}
.fine{font-size:.9rem;color:var(--muted);margin:1.25rem 0 0}
.language{margin:0 0 .5rem;color:var(--muted);font-size:.9rem}
.address{font-weight:600;overflow-wrap:anywhere}
footer{max-width:40rem;margin:0 auto;padding:0 1rem 2rem;font-size:.85rem;color:var(--muted)}
@media (min-width:40rem){main{padding-top:3rem}.card{padding:2rem}h1{font-size:2.1rem}}`;

// Progressive enhancement of the signup form: fills the time zone and, where fetch exists, posts JSON
// and shows the answer inline (no reload). Without it the form posts normally and gets a page.
// A zone the server does not know (a browser's "Etc/Unknown", or tz data newer than the server's)
// is one the person cannot see or fix: the form is sent again without it (the course's zone applies).
// Its words are the message element's data attributes (data-sending, data-failed, data-offline, data-errors:
// the page's language's message for each error code, when that is not English), so one script, one
// hash, serves every language.
const SCRIPT = `(function(){var f=document.getElementById('signup');if(!f)return;var el=function(n){return f.elements.namedItem(n)};
try{el('timezone').value=Intl.DateTimeFormat().resolvedOptions().timeZone||''}catch(e){}
if(!window.fetch||!window.JSON)return;var msg=document.getElementById('form-message');var btn=f.querySelector('button');
var say=function(n){return msg.getAttribute('data-'+n)||''};var codes={};try{codes=JSON.parse(say('errors')||'{}')}catch(e){}
f.addEventListener('submit',function(ev){ev.preventDefault();['email','name'].forEach(function(n){el(n).removeAttribute('aria-invalid');el(n).removeAttribute('aria-describedby')});
btn.disabled=true;msg.className='message';msg.textContent=say('sending');
var body={email:el('email').value,name:el('name').value,timezone:el('timezone').value,website:el('website').value};if(el('course'))body.course=el('course').value;
var send=function(){return fetch(f.getAttribute('action'),{method:'POST',headers:{'Content-Type':'application/json','Accept':'application/json'},body:JSON.stringify(body)})
.then(function(r){return r.json().then(function(b){return{ok:r.ok,b:b}})})};
send().then(function(x){var e=!x.ok&&x.b&&x.b.error;if(e&&e.field==='timezone'&&body.timezone){body.timezone='';return send()}return x})
.then(function(x){if(x.ok){msg.className='message ok';msg.textContent=x.b.message;el('email').value='';el('name').value=''}
else{var e=x.b&&x.b.error||{};msg.className='message error';msg.textContent=(e.code&&codes[e.code])||e.message||say('failed');
var field=e.field&&el(e.field);if(field&&field.type!=='hidden'){field.setAttribute('aria-invalid','true');field.setAttribute('aria-describedby','form-message');field.focus()}}})
.catch(function(){msg.className='message error';msg.textContent=say('offline')})
.then(function(){btn.disabled=false})})})();`;

/** A Content-Security-Policy source allowing exactly `text` as an inline style sheet or script (CSP Level 3 hash-source). */
export const cspHash = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The policy of every page: nothing but our own style sheet and script (by hash), our own forms and fetches. */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src ${cspHash(STYLE)}`,
  `script-src ${cspHash(SCRIPT)}`,
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** What every page is made of: `messages` gives its `lang`, `dir` and every word the product adds. */
export interface PageLayoutOptions {
  /** The course whose footer the page wears (its disclaimer, sender and postal address). */
  course: Course;
  /** The course's messages (courseMessages), or the list page's (the browser's language). */
  messages: Messages;
  title: string;
  body: Markup;
  script?: boolean;
  /** Replaces the course's footer (the list of several courses has its own). */
  footer?: Markup;
  /** A page's own style sheet and script after the shared ones (the learner's pages; their policy allows them by hash). */
  own?: { style: string; script?: string };
}

/** Markup as a string; a page never holds a Promise (see pageLayout). */
function markupText(markup: Markup): string {
  if (markup instanceof Promise) throw new TypeError('a page was given a Promise to render');
  return markup.toString();
}

/** A message as page markup: its words escaped, `markup`'s values (already escaped HTML) put in where it names them. */
function rich(messages: Messages, key: MessageKey, values: MessageValues = {}, markup: Record<string, Markup> = {}): Markup {
  const parts = Object.fromEntries(Object.entries(markup).map(([k, v]) => [k, markupText(v)]));
  return raw(formatHtml(messages, key, escapeHtml, values, parts));
}

/** "<strong>label:</strong> text": a disclaimer as every footer shows it. */
function disclaimerLine(messages: Messages, disclaimer: NonNullable<Course['disclaimer']>): Markup {
  return html`<p><strong>${messages.t('disclaimer.label', { label: disclaimer.label })}</strong> ${disclaimer.text}</p>`;
}

/** A course's footer: its disclaimer (when it has one), sender and postal address. */
function courseFooter(course: Course, messages: Messages): Markup {
  return html`${course.disclaimer ? disclaimerLine(messages, course.disclaimer) : ''}<p>${course.sender.name} · ${course.postalAddress}</p>`;
}

/**
 * A whole page in the shared look: `<html lang dir>` from `messages`, the course's footer, and the
 * signup script when `script`. Every page of the site (and the learner's pages) is made with it.
 */
export function pageLayout({ course, messages, title, body, script, footer, own }: PageLayoutOptions): string {
  const pageTitle = title === course.title ? course.title : `${title} · ${course.title}`;
  const page = html`<!doctype html>
<html lang="${messages.lang}" dir="${messages.dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="${script ? 'index' : 'noindex'}">
<title>${pageTitle}</title>
<style>${raw(STYLE)}</style>
${own ? html`<style>${raw(own.style)}</style>` : ''}
</head>
<body>
<main>
${body}
</main>
<footer>${footer ?? courseFooter(course, messages)}</footer>
${script ? html`<script>${raw(SCRIPT)}</script>` : ''}${own?.script === undefined ? '' : html`<script>${raw(own.script)}</script>`}
</body>
</html>
`;
  // `html` stays synchronous while no value is a Promise; a page must never hold one.
  if (page instanceof Promise) throw new TypeError('a page was given a Promise to render');
  return page.toString();
}

/** "one lesson a week", "one lesson every 3 days": `messages`' cadence phrase (English by default). */
export function cadencePhrase(days: number, messages: Messages = courseMessages({})): string {
  return messages.t('cadence.lessons', cadenceValues(days));
}

/** "8 lessons, one a week": a course's size and pace, for the signup page and the list. */
const shortCadence = (messages: Messages, days: number) => messages.t('cadence.short', cadenceValues(days));

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

/** The error codes' messages in `messages`' language, for the form's script; none for English (the answer's own message is shown). */
function errorCodeMessages(messages: Messages): string {
  const codes: Record<string, string> = {};
  for (const key of Object.keys(en) as MessageKey[]) {
    if (key.startsWith('errorCode.') && messages.source(key) !== 'english') codes[key.slice('errorCode.'.length)] = messages.t(key);
  }
  return Object.keys(codes).length === 0 ? '' : JSON.stringify(codes);
}

export function signupPage(course: Course, state: SignupFormState = {}, form: SignupFormOptions = {}): string {
  const m = courseMessages(course);
  // The message is tied to the field: a live region present at page load is not announced, so a
  // screen reader learns why the focused field is invalid from its description.
  const invalid = (field: string) =>
    state.error?.field === field ? raw(' aria-invalid="true" aria-describedby="form-message" autofocus') : '';
  const lessons = course.lessons.map((l) => html`<li>${l.title}</li>`);
  // The script's words, in the page's language (see SCRIPT).
  const errors = errorCodeMessages(m);
  const words = html` data-sending="${m.t('signup.sending')}" data-failed="${m.t('signup.failed')}" data-offline="${m.t('signup.offline')}"${errors ? html` data-errors="${errors}"` : ''}`;
  const message = state.error
    ? html`<p id="form-message" class="message error" role="status" aria-live="polite"${words}>${state.error.message}</p>`
    : html`<p id="form-message" class="message" role="status" aria-live="polite"${words}></p>`;
  const summary = m.t('signup.summary', {
    count: course.lessons.length,
    cadence: shortCadence(m, course.cadenceDays),
    time: formatSendHour(m.lang, course.sendHour),
  });
  const body = html`<p class="kicker">${m.t('signup.kicker')}</p>
<h1>${course.title}</h1>
<p>${course.description}</p>
<p class="summary">${summary}</p>
<section class="card" aria-labelledby="signup-title">
<h2 id="signup-title">${m.t('signup.heading')}</h2>
<form id="signup" method="post" action="${form.action ?? 'subscribe'}">
<label for="email">${m.t('signup.email')}</label>
<input id="email" name="email" type="email" inputmode="email" autocomplete="email" required maxlength="254" value="${state.values?.email ?? ''}"${invalid('email')}>
<label for="name">${m.t('signup.name')} <span class="optional">${m.t('signup.optional')}</span></label>
<input id="name" name="name" type="text" autocomplete="given-name" maxlength="400" value="${state.values?.name ?? ''}"${invalid('name')}>
<input id="timezone" name="timezone" type="hidden" value="">
${
  form.courseField
    ? html`<input id="course" name="course" type="hidden" value="${course.slug}">
`
    : ''
}<div class="hp" aria-hidden="true"><label for="website">${m.t('signup.honeypot')}</label><input id="website" name="website" type="text" tabindex="-1" autocomplete="off"></div>
<button type="submit">${m.t('signup.submit')}</button>
${message}
</form>
<p class="fine">${m.t('signup.privacy')}</p>
</section>
<section class="card" aria-labelledby="lessons-title">
<h2 id="lessons-title">${m.t('signup.lessonsHeading')}</h2>
<p>${m.t('signup.lessonsIntro', { cadence: cadencePhrase(course.cadenceDays, m) })}</p>
<ol class="lessons">${lessons}</ol>
</section>`;
  return pageLayout({ course, messages: m, title: course.title, body, script: true });
}

function simplePage(course: Course, m: Messages, title: string, content: Markup): string {
  const body = html`<p class="kicker">${course.title}</p>
<section class="card">
<h1>${title}</h1>
${content}
</section>`;
  return pageLayout({ course, messages: m, title, body });
}

/** What the signup answers on success, in the course's language (the page's, and the JSON answer's `message`). */
export function thanksMessage(course: Course): string {
  return courseMessages(course).t('signup.thanks');
}

/** `home`: the course page, relative to /subscribe (`./` with one course, `courses/<slug>` with several). */
export function checkInboxPage(course: Course, home = './'): string {
  const m = courseMessages(course);
  return simplePage(
    course,
    m,
    m.t('checkInbox.title'),
    html`<p role="status">${m.t('signup.thanks')}</p><p><a href="${home}">${m.t('page.backToCourse')}</a></p>`,
  );
}

/**
 * `GET /` when the deployment serves several courses: each with its description, lesson count and
 * link to its page, in the course's own language (its item carries `lang` and names the language);
 * the list's own words in `messages`' language (the browser's pick, see routes/courses.ts).
 */
export function coursesPage(courses: readonly Course[], messages: Messages = courseMessages({})): string {
  const items = courses.map((c) => {
    const cm = courseMessages(c);
    const summary = cm.t('courses.summary', { count: c.lessons.length, cadence: shortCadence(cm, c.cadenceDays) });
    return html`<section class="card" lang="${cm.lang}" dir="${cm.dir}" aria-labelledby="course-${c.slug}">
<h2 id="course-${c.slug}"><a href="courses/${c.slug}">${c.title}</a></h2>
<p class="language">${cm.t('courses.language', { language: languageName(cm.lang) })}</p>
<p>${c.description}</p>
<p class="summary">${summary}</p>
<p><a href="courses/${c.slug}" aria-label="${cm.t('courses.more')}: ${c.title}">${cm.t('courses.more')}</a></p>
</section>`;
  });
  const body = html`<p class="kicker">${messages.t('courses.kicker')}</p>
<h1>${messages.t('courses.title')}</h1>
<p>${messages.t('courses.intro')}</p>
${items}`;
  // Each course's disclaimer once (in its course's language), then who sends what.
  const disclaimers = new Map<string, Markup>();
  for (const c of courses) {
    if (!c.disclaimer) continue;
    const cm = courseMessages(c);
    const line = html`<div lang="${cm.lang}" dir="${cm.dir}">${disclaimerLine(cm, c.disclaimer)}</div>`;
    disclaimers.set(`${cm.lang}\u0000${c.disclaimer.label}\u0000${c.disclaimer.text}`, line);
  }
  const senders = new Map<string, Markup>();
  for (const c of courses) {
    const { lang, dir } = courseMessages(c);
    const line = `${c.sender.name} · ${c.postalAddress}`;
    if (!senders.has(line)) senders.set(line, html`<p lang="${lang}" dir="${dir}">${line}</p>`);
  }
  const footer = html`${[...disclaimers.values()]}${[...senders.values()]}`;
  const title = messages.t('courses.title');
  return pageLayout({ course: { ...courses[0]!, title }, messages, title, body, script: false, footer });
}

/**
 * The page a confirmation link opens: names the course and the masked address, and one button that
 * POSTs. Nothing submits it on load (no script): a mail scanner fetching the link changes nothing.
 * `nextLesson`: 0-based, where a returning person resumes.
 */
export function confirmPage(course: Course, maskedEmail: string, token: string, nextLesson = 0): string {
  const m = courseMessages(course);
  const strongTitle = html`<strong>${course.title}</strong>`;
  return simplePage(
    course,
    m,
    m.t('confirm.title'),
    html`<p>${rich(m, 'confirm.question', {}, { course: strongTitle, email: html`<span class="address">${maskedEmail}</span>` })}</p>
<p>${m.t('confirm.explain', { number: nextLesson + 1, cadence: cadencePhrase(course.cadenceDays, m) })}</p>
<form method="post" action="confirm?token=${encodeURIComponent(token)}">
<button type="submit" class="primary">${m.t('confirm.button')}</button>
</form>
<p class="fine">${m.t('confirm.notYou')}</p>`,
  );
}

/**
 * `nextLesson`: 0-based, the lesson the next drip run sends (a returning person resumes where they left).
 * `learnUrl`: the learner's course page (relative), linked when given.
 */
export function confirmedPage(course: Course, status: Subscriber['status'], nextLesson = 0, scheduled = false, learnUrl?: string): string {
  const m = courseMessages(course);
  const values = { number: nextLesson + 1, cadence: cadencePhrase(course.cadenceDays, m), time: formatSendHour(m.lang, course.sendHour) };
  const content =
    status === 'completed'
      ? html`<p>${m.t('confirmed.completed', { course: course.title })}</p>`
      : html`<p>${rich(m, 'confirmed.thanks', {}, { course: html`<strong>${course.title}</strong>` })}</p>
<p>${m.t(scheduled ? 'confirmed.scheduled' : 'confirmed.soon', values)}</p>
<p>${m.t('confirmed.unsubscribeNote')}</p>`;
  return simplePage(course, m, m.t('confirmed.title'), html`${content}${learnUrl === undefined ? '' : courseLink(m, learnUrl)}`);
}

/** The link to the learner's course page, in the course's language. */
function courseLink(m: Messages, learnUrl: string): Markup {
  return html`<p class="course-link"><a href="${learnUrl}">${m.t('learn.confirmed.link')}</a> ${m.t('learn.confirmed.about')}</p>`;
}

export function unsubscribePage(course: Course, view: UnsubscribeView, token: string): string {
  const m = courseMessages(course);
  const toCourse = html`<p><a href="./">${m.t('page.toCourse')}</a></p>`;
  if (view.maskedEmail === undefined) {
    return simplePage(
      course,
      m,
      m.t('unsubscribe.goneTitle'),
      html`<p>${m.t('unsubscribe.gone', { course: course.title })}</p>${toCourse}`,
    );
  }
  const address = html`<span class="address">${view.maskedEmail}</span>`;
  if (view.status !== 'active' && view.status !== 'pending' && view.status !== 'completed') {
    return simplePage(
      course,
      m,
      m.t('unsubscribed.title'),
      html`<p>${rich(m, 'unsubscribe.notSubscribed', { course: course.title }, { email: address })}</p>${toCourse}`,
    );
  }
  return simplePage(
    course,
    m,
    m.t('unsubscribe.title'),
    html`<p>${rich(m, 'unsubscribe.question', {}, { course: html`<strong>${course.title}</strong>`, email: address })}</p>
<p>${m.t('unsubscribe.effect')}</p>
<form method="post" action="unsubscribe?token=${encodeURIComponent(token)}">
<button type="submit">${m.t('unsubscribe.button')}</button>
</form>`,
  );
}

export function unsubscribedPage(course: Course, view: UnsubscribeView): string {
  const m = courseMessages(course);
  const who =
    view.maskedEmail === undefined
      ? html`${m.t('unsubscribed.you', { course: course.title })}`
      : rich(m, 'unsubscribed.address', { course: course.title }, { email: html`<span class="address">${view.maskedEmail}</span>` });
  return simplePage(
    course,
    m,
    m.t('unsubscribed.title'),
    html`<p>${who}</p>
<p>${rich(m, 'unsubscribed.again', {}, { link: html`<a href="./">${m.t('unsubscribed.againLink')}</a>` })}</p>`,
  );
}

const ERROR_TITLES: Record<number, MessageKey> = {
  400: 'error.400',
  403: 'error.403',
  404: 'error.404',
  409: 'error.409',
  410: 'error.410',
  413: 'error.413',
  415: 'error.415',
  429: 'error.429',
  503: 'error.503',
};

/**
 * What a page says about `err` in `messages`' language: the catalogue's message for its code when the
 * page is not in English (or the author reworded it), else the error's own English message, which
 * may say more (which field, what limit). JSON answers always carry the English one.
 */
export function errorMessageFor(messages: Messages, err: Pick<AppError, 'code' | 'message'>): string {
  const key = `errorCode.${err.code}`;
  if (!Object.hasOwn(en, key)) return err.message;
  return messages.source(key as MessageKey) === 'english' ? err.message : messages.t(key as MessageKey);
}

/** `home` is the signup page's URL; the relative default is right for every route, not for deeper paths. */
export function errorPage(course: Course, status: number, err: Pick<AppError, 'code' | 'message'>, home = './'): string {
  const m = courseMessages(course);
  const title = m.t(ERROR_TITLES[status] ?? 'error.other');
  return simplePage(
    course,
    m,
    title,
    html`<p role="alert">${errorMessageFor(m, err)}</p><p><a href="${home}">${m.t('page.toCourse')}</a></p>`,
  );
}
