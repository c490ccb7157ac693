// A reader's steps through a running deployment, driven as a browser and SES would: over the local
// API's HTTP, through the template's schedule, and as SES events. Each step throws with a message
// naming what failed (the route, the function and its error, the event type), which the journey
// and the mutation tests read.
import { emulatorEmails, type EmulatedEmail } from '../../../functions/local/services.js';
import type { Deployment } from './deployment.js';

/** A request through the local API Gateway. */
export async function request(d: Deployment, method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`${d.api.url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json', accept: 'application/json' } }),
  });
  return { status: res.status, text: await res.text() };
}

/** Why the last request through `path` failed: the function's error, or its ERROR log lines. */
function diagnosis(d: Deployment): string {
  const failed = d.lambda.invocations.filter((i) => i.ok === false).at(-1);
  if (failed) return `${failed.function} failed: ${failed.error?.type}: ${failed.error?.message}`;
  const errors = [...d.lambda.logs.entries()].flatMap(([fn, chunks]) =>
    chunks
      .join('')
      .split('\n')
      .filter((l) => /"level":"ERROR"|Error/.test(l))
      .map((l) => `${fn}: ${l.slice(0, 400)}`),
  );
  return errors.slice(-3).join('\n') || 'no function error logged';
}

/** `method path` must answer `status`; otherwise throws naming the route and what the functions said. */
export async function expectStatus(d: Deployment, method: string, path: string, status: number, body?: unknown): Promise<string> {
  const r = await request(d, method, path, body);
  if (r.status !== status) {
    const route = `${method} ${path.split('?')[0]}`;
    throw new Error(
      `${route} answered ${r.status} ${r.text.slice(0, 200)} (expected ${status}); ${r.status === 404 ? `routes: ${d.api.routes.map((x) => x.routeKey).join(', ')}` : diagnosis(d)}`,
    );
  }
  return r.text;
}

/** Sign `email` up for `course` (POST /subscribe, as the signup form's script does). */
export async function signUp(d: Deployment, email: string, course: string): Promise<void> {
  await expectStatus(d, 'POST', '/subscribe', 200, { email, name: 'Ada', course });
}

/** The emails the SES emulator holds for `address`. */
export async function inbox(sesUrl: string, address: string): Promise<EmulatedEmail[]> {
  return (await emulatorEmails(sesUrl)).filter((e) => e.destination.to.some((t) => t.includes(address)));
}

/** The confirm or unsubscribe link of an email (path and query, relative to the API). */
export function linkIn(email: EmulatedEmail, kind: 'confirm' | 'unsubscribe', apiUrl: string): string {
  const found = new RegExp(`${apiUrl.replace(/[.]/g, '\\.')}(/${kind}\\?token=[A-Za-z0-9_.-]+)`).exec(email.body.text ?? '')?.[1];
  if (found === undefined) throw new Error(`no ${kind} link to ${apiUrl} in "${email.subject}": ${(email.body.text ?? '').slice(0, 300)}`);
  return found;
}

/** Open the confirm page (GET changes nothing) and press its button (POST). */
export async function confirm(d: Deployment, link: string): Promise<void> {
  await expectStatus(d, 'GET', link, 200);
  await expectStatus(d, 'POST', link, 200);
}

/** Fire the schedule and throw if an invocation failed (naming the function and its error). */
export async function tick(d: Deployment, periodStart: Date, offsetMs: number): Promise<void> {
  const before = d.lambda.invocations.length;
  await d.tick(periodStart, offsetMs);
  const failed = d.lambda.invocations.slice(before).filter((i) => i.ok === false);
  if (failed.length > 0) throw new Error(failed.map((f) => `${f.function} failed: ${f.error?.type}: ${f.error?.message}`).join('\n'));
}

/** SES publishes `eventType` for the message; throws if SNS delivered it to no function. */
export async function sesEvent(d: Deployment, eventType: string, messageId: string, detail: Record<string, unknown> = {}): Promise<void> {
  const delivered = await d.publishSesEvent(eventType, messageId, detail);
  if (delivered === 0) {
    const published = d.eventDestinations().map((x) => `${x.configurationSet}: ${x.types.join(', ')}`);
    throw new Error(`SES publishes no ${eventType} events: MatchingEventTypes are ${published.join('; ') || 'none'}`);
  }
  const failed = d.lambda.failures().at(-1);
  if (failed && failed.startedAt >= Date.now() - 60_000 && JSON.stringify(failed.event).includes(messageId)) {
    throw new Error(`${failed.function} failed on ${eventType}: ${failed.error?.message}`);
  }
}
