// The learner's pages: their course page (/learn: progress, syllabus, when the next lesson comes, the
// pace controls and settings), a lesson's web version (/learn/lessons/<n>) and the feedback pages
// (/feedback). Every word comes from the course language's catalogue (functions/i18n), every date
// from Intl in the learner's zone. Built with hono's `html` tag (every value HTML-escaped), in the
// look of the other pages (pages.ts STYLE), with a style sheet and one small script of their own,
// both allowed by hash in the pages' Content-Security-Policy (LEARNER_CSP).
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { NEXT_NOW_INTERVAL_MS } from '../core/learner.js';
import { lessonsReadable, lessonsSent, learnerPaceOf, type Learner, type LearnerPace } from '../core/learner-view.js';
import { feedbackPath, learnPath, lessonPath } from '../core/learner-links.js';
import type { FeedbackVote } from '../core/model.js';
import type { Course } from '../email/manifest.js';
import { courseMessages, type Messages } from '../i18n/messages.js';
import { cspHash, pageLayout, STYLE } from './pages.js';

type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

/** A learner whose course is a full manifest (the pages show its lessons and choices). */
export type PageLearner = Learner<{ course: Course }>;

/** What the course page's controls report back (`done=<action>`, set by the controls' 303). */
export const DONE_ACTIONS = ['paused', 'resumed', 'next', 'restarted', 'settings'] as const;
export type DoneAction = (typeof DONE_ACTIONS)[number];

const LEARN_STYLE = `.syllabus{margin:.5rem 0 0;padding-inline-start:1.6rem}
.syllabus li{margin:.35rem 0}
.later{color:var(--muted)}
.later .note{font-size:.85rem}
.status{font-weight:600}
.controls form{margin:0 0 1.25rem}
.controls form:last-child{margin-bottom:0}
.controls button{margin-top:.5rem}
.hint{font-size:.9rem;color:var(--muted);margin:.35rem 0 0}
select,input[type=time],input[type=date]{display:block;font:inherit;padding:.5rem .6rem;border:1px solid #7b8594;border-radius:.5rem;background:#fff;color:inherit;max-width:100%}
.offer{margin:.5rem 0 0;font-size:.95rem}
.offer button{margin:.25rem 0 0;padding:.4rem .9rem;min-height:2.25rem;background:#fff;color:var(--accent);border:1px solid var(--accent)}
.offer button:hover{background:#eef4f9}
button.secondary{background:#fff;color:var(--accent);border:1px solid var(--accent)}
button.secondary:hover{background:#eef4f9}
.choice{font-size:1.15rem;font-weight:600}
.other{margin-top:1rem}`;

// Offers the browser's time zone when it differs from the learner's (and the list has it): a button
// that picks it in the select; nothing is sent until the learner saves the form.
const LEARN_SCRIPT = `(function(){var s=document.getElementById('timezone');var o=document.getElementById('zone-offer');if(!s||!o)return;
var z;try{z=Intl.DateTimeFormat().resolvedOptions().timeZone}catch(e){return}if(!z||z===s.value)return;
var found=false;for(var i=0;i<s.options.length;i++)if(s.options[i].value===z)found=true;if(!found)return;
var b=o.querySelector('button');o.querySelector('span').textContent=o.getAttribute('data-text').split('%ZONE%').join(z);
b.textContent=b.getAttribute('data-text').split('%ZONE%').join(z);o.hidden=false;
b.addEventListener('click',function(){s.value=z;o.hidden=true;s.focus()})})();`;

/** The course page's and the feedback pages' policy: our two style sheets and one script, by hash; forms to us only. */
export const LEARNER_CSP = [
  "default-src 'none'",
  `style-src ${cspHash(STYLE)} ${cspHash(LEARN_STYLE)}`,
  `script-src ${cspHash(LEARN_SCRIPT)}`,
  "img-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * A lesson's web version: the email's own inline styles and images over https, and no script at all
 * (the email has none; an article's markup could never run one here).
 */
export const WEB_LESSON_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  'img-src https: data:',
  "form-action 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** A learner's page in the shared look (pages.ts pageLayout), with their style sheet and, for the course page's controls, their script. */
function layout(course: Course, m: Messages, title: string, body: Markup, script = false): string {
  return pageLayout({ course, messages: m, title, body, own: { style: LEARN_STYLE, ...(script ? { script: LEARN_SCRIPT } : {}) } });
}

/** `date` in the learner's zone and the course's language: the day ("Monday, December 14") and the time ("09:00"). */
export function localDateTime(at: Date, lang: string, timeZone: string): { date: string; time: string } {
  const date = new Intl.DateTimeFormat(lang, { weekday: 'long', day: 'numeric', month: 'long', timeZone }).format(at);
  const time = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(at);
  return { date, time };
}

/** Where the learner stands: complete, paused (until when), or when the next lesson comes. */
function statusLine(learner: PageLearner, pace: LearnerPace, m: Messages, now: Date): string {
  const { subscriber, course } = learner;
  if (subscriber.status === 'completed') return m.t('learn.complete', { title: course.course.title });
  if (pace.paused) {
    if (pace.pausedUntil === undefined) return m.t('learn.paused');
    const { date } = localDateTime(new Date(pace.pausedUntil), m.lang, pace.timezone);
    return m.t('learn.pausedUntil', { date, zone: pace.timezone });
  }
  const number = subscriber.nextLesson + 1;
  const due = subscriber.nextSendAt === undefined ? undefined : new Date(subscriber.nextSendAt);
  if (due === undefined || due.getTime() <= now.getTime()) return m.t('learn.next.soon', { number });
  return m.t('learn.next.at', { number, ...localDateTime(due, m.lang, pace.timezone), zone: pace.timezone });
}

function syllabus(learner: PageLearner, m: Messages): Markup {
  const { course } = learner.course;
  const readable = lessonsReadable(learner.subscriber, course.lessons.length);
  const items = course.lessons.map((lesson, i) =>
    i < readable
      ? html`<li><a href="${lessonPath(learner.token, i + 1)}" aria-label="${m.t('learn.syllabus.read', { number: i + 1 })}: ${lesson.title}">${lesson.title}</a></li>`
      : html`<li class="later">${lesson.title} <span class="note">(${m.t('learn.syllabus.notYet')})</span></li>`,
  );
  return html`<section class="card" aria-labelledby="syllabus-title">
<h2 id="syllabus-title">${m.t('learn.syllabus')}</h2>
<ol class="syllabus">${items}</ol>
</section>`;
}

/** One control: a form that POSTs to learn/<action>, a button and a line saying what it does. */
function control(token: string, action: string, button: string, hint: string, fields: Markup = html``, secondary = false): Markup {
  return html`<form method="post" action="learn/${action}?token=${encodeURIComponent(token)}">
${fields}<button type="submit"${secondary ? raw(' class="secondary"') : ''}>${button}</button>
<p class="hint">${hint}</p>
</form>`;
}

function controls(learner: PageLearner, pace: LearnerPace, m: Messages, now: Date): Markup {
  const { token, subscriber } = learner;
  const forms: Markup[] = [];
  if (subscriber.status === 'active' && pace.paused) {
    forms.push(control(token, 'resume', m.t('learn.resume.button'), m.t('learn.resume.hint')));
  } else if (subscriber.status === 'active') {
    // "Next lesson now" once per 24 hours: until then the page says when, instead of a button that would be refused.
    const again =
      subscriber.nextNowAt === undefined ? undefined : new Date(new Date(subscriber.nextNowAt).getTime() + NEXT_NOW_INTERVAL_MS);
    if (again !== undefined && again.getTime() > now.getTime()) {
      forms.push(html`<p class="hint">${m.t('learn.next.after', localDateTime(again, m.lang, pace.timezone))}</p>`);
    } else {
      forms.push(control(token, 'next', m.t('learn.next.button'), m.t('learn.next.hint')));
    }
    const until = html`<label for="until">${m.t('learn.pause.label')}</label>
<input id="until" name="until" type="date" aria-describedby="until-hint">
`;
    forms.push(
      html`<form method="post" action="learn/pause?token=${encodeURIComponent(token)}">
${until}<p class="hint" id="until-hint">${m.t('learn.pause.hint')}</p>
<button type="submit" class="secondary">${m.t('learn.pause.button')}</button>
</form>`,
    );
  }
  forms.push(control(token, 'restart', m.t('learn.restart.button'), m.t('learn.restart.hint'), html``, subscriber.status === 'active'));
  return html`<section class="card controls" aria-labelledby="controls-title">
<h2 id="controls-title">${m.t('learn.controls')}</h2>
${forms}
</section>`;
}

/** Every zone the runtime lists, the learner's own first in the list if the runtime does not list it. */
function zoneOptions(current: string): Markup[] {
  const zones = Intl.supportedValuesOf('timeZone');
  const all = zones.includes(current) ? zones : [current, ...zones];
  return all.map((z) => html`<option value="${z}"${z === current ? raw(' selected') : ''}>${z.replaceAll('_', ' ')}</option>`);
}

/** The weekdays' names in the course's language, 1 = Monday … 7 = Sunday. */
function weekdayNames(lang: string): string[] {
  const format = new Intl.DateTimeFormat(lang, { weekday: 'long', timeZone: 'UTC' });
  // 2024-01-01 was a Monday.
  return Array.from({ length: 7 }, (_, i) => format.format(new Date(Date.UTC(2024, 0, 1 + i))));
}

function settingsForm(learner: PageLearner, pace: LearnerPace, m: Messages): Markup {
  const { course } = learner.course;
  const choices = [...new Set([...(course.cadenceChoices ?? [course.cadenceDays]), pace.cadenceDays])].sort((a, b) => a - b);
  const weekly = choices.some((d) => d % 7 === 0);
  const selected = (on: boolean) => (on ? raw(' selected') : '');
  const weekday = weekly
    ? html`<label for="weekday">${m.t('learn.settings.weekday')}</label>
<select id="weekday" name="weekday"><option value=""${selected(pace.weekday === undefined)}>${m.t('learn.settings.anyDay')}</option>${weekdayNames(
        m.lang,
      ).map((name, i) => html`<option value="${i + 1}"${selected(pace.weekday === i + 1)}>${name}</option>`)}</select>
`
    : '';
  const cadence =
    choices.length > 1
      ? html`<label for="cadenceDays">${m.t('learn.settings.cadence')}</label>
<select id="cadenceDays" name="cadenceDays">${choices.map(
          (d) => html`<option value="${d}"${selected(d === pace.cadenceDays)}>${m.t('learn.cadence', { days: d })}</option>`,
        )}</select>
`
      : '';
  const offerText = m.t('learn.settings.browserZone', { zone: '%ZONE%' });
  const offerButton = m.t('learn.settings.useBrowserZone', { zone: '%ZONE%' });
  return html`<section class="card" aria-labelledby="settings-title">
<h2 id="settings-title">${m.t('learn.settings')}</h2>
<p>${m.t('learn.pace', { cadence: m.t('learn.cadence', { days: pace.cadenceDays }), time: pace.sendHour, zone: pace.timezone })}</p>
<form method="post" action="learn/settings?token=${encodeURIComponent(learner.token)}">
<label for="sendHour">${m.t('learn.settings.sendHour')}</label>
<input id="sendHour" name="sendHour" type="time" required value="${pace.sendHour}">
${weekday}${cadence}<label for="timezone">${m.t('learn.settings.timezone')}</label>
<select id="timezone" name="timezone" aria-describedby="zone-note">${zoneOptions(pace.timezone)}</select>
<p class="hint" id="zone-note">${m.t('learn.settings.zoneNote')}</p>
<p class="offer" id="zone-offer" hidden data-text="${offerText}"><span></span> <button type="button" data-text="${offerButton}"></button></p>
<button type="submit">${m.t('learn.settings.save')}</button>
</form>
</section>`;
}

/**
 * The learner's course page. `done`: the control that just succeeded (its 303 names it), shown as a
 * confirmation; `now` decides whether the next lesson is still to come; `unsubscribeUrl` is relative.
 */
export function learnerPage(learner: PageLearner, o: { now: Date; done?: DoneAction; unsubscribeUrl: string }): string {
  const { course } = learner.course;
  const m = courseMessages(course);
  const pace = learnerPaceOf(learner.subscriber, course);
  const sent = lessonsSent(learner.subscriber, course.lessons.length);
  const done = o.done === undefined ? '' : html`<p class="message ok" role="status">${m.t(`learn.done.${o.done}`)}</p>`;
  const body = html`<p class="kicker">${m.t('learn.kicker')}</p>
<h1>${course.title}</h1>
${done}<section class="card" aria-labelledby="progress-title">
<h2 id="progress-title">${m.t('learn.progress', { sent, total: course.lessons.length })}</h2>
${pace.round > 1 ? html`<p>${m.t('learn.round', { round: pace.round })}</p>` : ''}
<p class="status">${statusLine(learner, pace, m, o.now)}</p>
</section>
${syllabus(learner, m)}
${controls(learner, pace, m, o.now)}
${learner.subscriber.status === 'active' ? settingsForm(learner, pace, m) : ''}
<p class="fine"><a href="${o.unsubscribeUrl}">${m.t('learn.unsubscribe')}</a></p>`;
  return layout(course, m, m.t('learn.title'), body, learner.subscriber.status === 'active');
}

/**
 * A lesson's web version: the lesson email's HTML as rendered for this learner, with a line at the
 * top back to the course page (relative: `back`). The email's `ses:no-track` marks (for SES click
 * tracking) mean nothing here and go; a `noindex` goes into its head.
 */
/** The line back to the course page in the email's dark look (the email's own dark colours, head.mjml). */
const WEB_BAR_DARK = '@media (prefers-color-scheme: dark){.web-bar a{color:#9ccaff !important}.web-bar span{color:#c3cad3 !important}}';

export function webLessonPage(emailHtml: string, o: { course: Course; number: number; back: string }): string {
  const m = courseMessages(o.course);
  const bar = html`<div class="web-bar" style="max-width:600px;margin:0 auto;padding:14px 20px 0;font:15px/1.5 -apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"><a href="${o.back}" style="color:#0b4f94;font-weight:600">${m.dir === 'rtl' ? '→' : '←'} ${m.t('learn.web.back')}</a> <span style="color:#374151">· ${m.t('learn.web.notice', { number: o.number, total: o.course.lessons.length })}</span></div>`;
  if (bar instanceof Promise) throw new TypeError('a page was given a Promise to render');
  return emailHtml
    .replace(/\sses:no-track(?=[\s>])/gi, '')
    .replace(/<head>/i, `<head><meta name="robots" content="noindex"><style>${WEB_BAR_DARK}</style>`)
    .replace(/<body([^>]*)>/i, (tag) => `${tag}${bar.toString()}`);
}

/** The feedback page a lesson's Yes/No link opens: the choice and one button that POSTs it. */
export function votePage(learner: PageLearner, v: { lesson: number; vote: FeedbackVote; previous?: FeedbackVote }): string {
  const { course } = learner.course;
  const m = courseMessages(course);
  const number = v.lesson + 1;
  const other: FeedbackVote = v.vote === 'yes' ? 'no' : 'yes';
  const body = html`<p class="kicker">${course.title}</p>
<section class="card">
<h1>${m.t('feedback.title')}</h1>
<p>${m.t('feedback.question', { number, lesson: course.lessons[v.lesson]!.title })}</p>
<p class="choice">${m.t('feedback.choice', { vote: v.vote })}</p>
${v.previous === undefined ? '' : html`<p>${m.t('feedback.previous', { vote: v.previous })}</p>`}
<form method="post" action="${feedbackPath(learner.token, number, v.vote)}">
<button type="submit" class="primary">${m.t('feedback.button', { vote: v.vote })}</button>
</form>
<p class="other"><a href="${feedbackPath(learner.token, number, other)}">${m.t('feedback.other', { vote: v.vote })}</a></p>
<p class="fine">${m.t('feedback.fine')}</p>
</section>
<p><a href="${learnPath(learner.token)}">${m.t('feedback.back')}</a></p>`;
  return layout(course, m, m.t('feedback.title'), body);
}

/** After the vote's POST: saved (or already so), and the way back to the course page. */
export function votedPage(learner: PageLearner, v: { lesson: number; vote: FeedbackVote; changed: boolean }): string {
  const { course } = learner.course;
  const m = courseMessages(course);
  const body = html`<p class="kicker">${course.title}</p>
<section class="card">
<h1>${m.t('feedback.thanks.title')}</h1>
<p role="status">${m.t('feedback.thanks', { vote: v.vote, number: v.lesson + 1 })}</p>
${v.changed ? '' : html`<p>${m.t('feedback.unchanged')}</p>`}
<p><a href="${learnPath(learner.token)}">${m.t('feedback.back')}</a></p>
</section>`;
  return layout(course, m, m.t('feedback.thanks.title'), body);
}
