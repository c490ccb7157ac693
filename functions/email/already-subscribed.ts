// The email a learner gets when someone signs their address up again while they are learning: it
// says they are already subscribed, which zone their lessons arrive in, and links to the page where
// the subscription is managed (the unsubscribe page, until the learner's course page exists). The
// HTTP answer to that signup is the same as for any other; only this email differs.
import type { CourseFacts } from '../core/ports.js';
import { absoluteHttpUrl } from './links.js';
import { escapeHtml } from './escape.js';
import type { RenderedEmail } from './personalise.js';

export interface AlreadySubscribedFacts {
  /** The page that manages the subscription (absolute http(s) URL). */
  manageUrl: string;
  /** The zone the learner's lessons arrive in (their stored zone, an IANA name). */
  timezone: string;
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
  const subject = `You are already subscribed to ${course.title}`;
  const preheader = 'Someone signed this address up again. Nothing has changed: your lessons keep coming.';
  const paragraphs = [
    `Someone, hopefully you, just signed this address up for the email course "${course.title}". You are already subscribed, so nothing has changed and no confirmation is needed: your lessons keep arriving as before.`,
    `Your lessons arrive at ${course.sendHour} in the time zone ${facts.timezone}.`,
    ...(facts.zoneDiffers
      ? [
          'The new signup came from a device set to another time zone. We have not changed yours: a time zone is only changed when you ask for it. You will be able to change it from your course page once it is available; until then, reply to this email and we will change it for you.',
        ]
      : []),
    'To manage your subscription or stop the lessons, open the page below (opening it changes nothing; its button does).',
  ];
  const text = [
    'Hello,',
    '',
    ...paragraphs.flatMap((p) => [p, '']),
    `Manage your subscription: ${url}`,
    '',
    'If this was not you, you can ignore this email.',
    '',
  ].join('\n');
  const html = `<!doctype html>
<html lang="en" dir="ltr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:24px 12px;background:#f3f4f6;color:#111827;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5">
<div style="display:none;max-height:0;overflow:hidden">${escapeHtml(preheader)}</div>
<div role="article" aria-label="${escapeHtml(subject)}" style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:28px">
<h1 style="font-size:22px;margin:0 0 16px">You are already subscribed</h1>
<p>Hello,</p>
${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
<p><a href="${escapeHtml(url)}" style="color:#1d4ed8">Manage your subscription</a></p>
<p style="color:#4b5563;font-size:14px">If this was not you, you can ignore this email.</p>
</div></body></html>`;
  return { subject, preheader, html, text };
}
