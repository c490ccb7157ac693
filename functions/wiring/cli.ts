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
import { sesMailer, subscriptionDeps } from './deps.js';

/** The table reads and writes behind stats, export, show, erase, held and migrate-suppressions. */
export const operatorStore = (t: Target): OperatorStore => createOperatorStore(t);

/** Puts a held subscriber back in the due index; `dueShards` must be the drip's (DUE_SHARDS). */
export const requeuer = (t: Target, dueShards: number) => (id: string, at: Date) =>
  requeueHeldSubscriber({ doc: t.doc, tableName: t.tableName, dueShards }, id, at);

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
  let settled = () => Promise.resolve();
  if (sending) {
    const ses = sesMailer(t.ses(), settings);
    if (t.kind === 'local') {
      const simulated = simulatedSesFeedback({ log: () => undefined })(ses, { doc: t.doc, tableName: t.tableName, clock: systemClock });
      mailer = simulated;
      settled = () => simulated.settled();
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
  });
  return { subscriptions, course: imported, settled };
}
