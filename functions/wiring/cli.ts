// The CLI's part of the wiring: what its commands run on (the operator store, the requeue, the sending
// ports of an import and of a test send, and the compiled course). Every construction call of the CLI
// is here, beside the other entry points' (functions/wiring/), so the commands take their ports from one place.
import { requeueHeldSubscriber } from '../adapters/dynamo-drip-store.js';
import { loadLocalTokenKey, loadSecretTokenKey } from '../adapters/token-key.js';
import { DEFAULTS } from '../config/settings.js';
import { systemClock, type Mailer } from '../core/ports.js';
import { createTokens, type Tokens } from '../core/tokens.js';
import { courseCatalog } from '../core/courses.js';
import type { SubscriptionDeps } from '../core/lifecycle.js';
import type { CompiledCourse } from '../email/compiled-course.js';
import type { CourseFolder } from '../email/courses.js';
import { simulatedSesFeedback } from '../local/simulated-feedback.js';
import type { CliIo } from '../cli/command.js';
import { createOperatorStore, type OperatorStore } from '../cli/operator-store.js';
import { linkBase, type CliSettings, type Target } from '../cli/target.js';
import type { EventPublisher } from '../core/events.js';
import { readableLog } from '../adapters/observability.js';
import { sesMailer, subscriptionDeps } from './deps.js';
import { busEvents } from './events.js';
import { localEvents } from './local.js';

/** The table reads and writes behind stats, export, show, erase, held and migrate-suppressions. */
export const operatorStore = (t: Target): OperatorStore => createOperatorStore(t);

/** Puts a held subscriber back in the due index; `dueShards` must be the drip's (DUE_SHARDS). */
export const requeuer = (t: Target, dueShards: number) => (id: string, at: Date) =>
  requeueHeldSubscriber({ doc: t.doc, tableName: t.tableName, dueShards }, id, at);

/**
 * Where the CLI's state changes publish their events: on the local stack its file (DATA_DIR/events.jsonl,
 * no log lines among the command's output); on a deployed table the bus EVENT_BUS_NAME names (the
 * stack's EventBusName output), none when unset. Problems are written to `err`.
 */
export function cliEvents(t: Target, io: CliIo, settings: CliSettings): EventPublisher & { settled(): Promise<void> } {
  const log = readableLog((line) => void io.err.write(`${line}\n`));
  if (t.kind === 'local') {
    const events = localEvents({
      dataDir: t.local?.dataDir ?? DEFAULTS.dataDir,
      includeEmail: settings.eventsIncludeEmail,
      log: (e) => {
        if (e.level === 'error') log(e);
      },
    });
    return events;
  }
  const bus = busEvents({ config: settings, log });
  return { publish: (events) => bus?.publish(events) ?? Promise.resolve(), settled: () => Promise.resolve() };
}

/** The mailer of a test send: no configuration set and no tags, so a test produces no SES events. */
export const testMailer = (t: Target): Mailer => sesMailer(t.ses(), {});

/** The course compiled from its folder (mjml is loaded only by the commands that send mail). */
export async function compiled(io: CliIo, folder: CourseFolder): Promise<CompiledCourse> {
  if (io.compileCourse) return io.compileCourse(folder.course);
  const { compileCourse } = await import('../email/compile.js');
  return compileCourse(folder.course, folder.dir);
}

/**
 * subscribe()'s ports for an import. Without confirmations nothing may be mailed or signed, so the
 * mailer and tokens refuse; with them, locally, the SES simulator's addresses bounce or complain
 * through the feedback path as they would in AWS.
 */
export async function importSubscriptions(
  t: Target,
  io: CliIo,
  settings: CliSettings,
  course: CourseFolder,
  sending: boolean,
): Promise<{ subscriptions: SubscriptionDeps; course: CompiledCourse; settled: () => Promise<void> }> {
  let mailer: Mailer = { sendRaw: () => Promise.reject(new Error('import sends no email without --send-confirmations')) };
  const refuse = () => {
    throw new Error('import signs no links without --send-confirmations');
  };
  let tokens: Tokens = { sign: refuse, verify: refuse };
  const events = cliEvents(t, io, settings);
  let settled = () => events.settled();
  if (sending) {
    const ses = sesMailer(t.ses(), settings);
    if (t.kind === 'local') {
      const simulated = simulatedSesFeedback({ log: () => undefined })(ses, {
        doc: t.doc,
        tableName: t.tableName,
        clock: systemClock,
        events,
      });
      mailer = simulated;
      settled = async () => {
        await simulated.settled();
        await events.settled();
      };
      tokens = createTokens(await loadLocalTokenKey(t.local?.dataDir ?? DEFAULTS.dataDir));
    } else {
      mailer = ses;
      tokens = createTokens(await loadSecretTokenKey(settings.tokenSecretId ?? ''));
    }
  }
  const imported = await compiled(io, course);
  const subscriptions = subscriptionDeps({
    doc: t.doc,
    tableName: t.tableName,
    dueShards: settings.dueShards,
    mailer,
    tokens,
    courses: courseCatalog([imported]),
    // The per-IP signup limit guards the public form; an operator's import is not a client IP.
    config: { publicUrl: linkBase(t, settings), signupsPerIpPerHour: Number.MAX_SAFE_INTEGER },
    events,
  });
  return { subscriptions, course: imported, settled };
}
