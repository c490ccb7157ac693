// The email a learner gets when someone signs their address up again while they are learning: it
// says they are already subscribed, when and in which zone their lessons arrive, and links to their
// course page, where pace, zone, pause and unsubscribing are. The
// HTTP answer to that signup is the same as for any other; only this email differs.
import type { CourseFacts } from '../core/ports.js';
import { absoluteHttpUrl } from './links.js';
import { escapeHtml } from './escape.js';
import type { RenderedEmail } from './personalise.js';
import { courseMessages, formatSendHour } from '../i18n/messages.js';

export interface AlreadySubscribedFacts {
  /** The learner's course page (absolute http(s) URL). */
  manageUrl: string;
  /** The zone the learner's lessons arrive in (their stored zone, an IANA name). */
  timezone: string;
  /** The learner's own send time (HH:MM); absent: the course's. */
  sendHour?: string;
  /** True when the new signup came with a different zone: the email says how a change is made, not which zone was sent. */
  zoneDiffers: boolean;
}

/**
 * The "already subscribed" email. It carries nothing the new signup typed (no name, no zone from
 * the form): whoever filled the form may not be the learner. Its one link opens a page that changes
 * nothing until its button is pressed.
 */
export function renderAlreadySubscribed(course: CourseFacts, facts: AlreadySubscribedFacts): RenderedEmail {
  const url = absoluteHttpUrl(facts.manageUrl, 'manageUrl');
  const m = courseMessages(course);
  const subject = m.t('email.already.subject', { course: course.title });
  const preheader = m.t('email.already.preheader');
  const paragraphs = [
    m.t('email.already.signedUpAgain', { course: course.title }),
    m.t('email.already.when', { time: formatSendHour(m.lang, facts.sendHour ?? course.sendHour), zone: facts.timezone }),
    ...(facts.zoneDiffers ? [m.t('email.already.zoneDiffers')] : []),
    m.t('email.already.manageIntro'),
  ];
  const hello = m.t('email.hello');
  const notYou = m.t('email.already.notYou');
  const text = [hello, '', ...paragraphs.flatMap((p) => [p, '']), m.t('email.already.manageText', { url }), '', notYou, ''].join('\n');
  const align = m.dir === 'rtl' ? 'right' : 'left';
  const html = `<!doctype html>
<html lang="${escapeHtml(m.lang)}" dir="${m.dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:24px 12px;background:#f3f4f6;color:#111827;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;text-align:${align}">
<div style="display:none;max-height:0;overflow:hidden">${escapeHtml(preheader)}</div>
<div role="article" aria-label="${escapeHtml(subject)}" lang="${escapeHtml(m.lang)}" dir="${m.dir}" style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:28px">
<h1 style="font-size:22px;margin:0 0 16px">${escapeHtml(m.t('email.already.heading'))}</h1>
<p>${escapeHtml(hello)}</p>
${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
<p><a href="${escapeHtml(url)}" style="color:#1d4ed8">${escapeHtml(m.t('email.already.manage'))}</a></p>
<p style="color:#4b5563;font-size:14px">${escapeHtml(notYou)}</p>
</div></body></html>`;
  return { subject, preheader, html, text };
}
