// The SubscriptionStore (signup, confirm, unsubscribe and the signup outbox) in memory, for tests that
// need the lifecycle rules without Java: the same conditions as the DynamoDB store
// (functions/adapters/dynamo-store.ts and dynamo-signup-outbox.ts), which is the truth.
// test/support/subscription-store-contract.ts runs the same tests against both; where they disagree,
// this one is fixed. Every method decides its condition in one synchronous step, as one conditional
// write does in DynamoDB, so parallel calls race the way they do there (exactly one wins).
//
// Nothing is ever removed by time: DynamoDB's TTL deletes lazily (and DynamoDB Local never), so an
// expired item stays until a condition looks at its `expiresAt`, here as there.
import type { Subscriber } from '../../functions/core/model.js';
import type {
  AddressRecord,
  HeldSignup,
  OutboxPage,
  PaceExpectation,
  PaceUpdate,
  PendingRenewal,
  SignupRequest,
  SubscriptionStore,
  VoteChange,
} from '../../functions/core/subscription-store.js';
import { SIGNUP_REQUEST_TTL_SECONDS } from '../../functions/core/signup.js';
import { mailboxKey } from '../../functions/core/mailbox.js';
import { DEFAULT_DUE_SHARDS, dueShardOf } from '../../functions/adapters/table.js';

/**
 * A subscriber as the table holds it: the model's fields plus the due index entry (only while active),
 * and what the drip writes on the same item (a claim, a hold; memory-drip-store.ts's DripStoreRow) and
 * the learner's controls' pace version.
 */
export type SubscriptionRow = Subscriber & {
  dueShard?: string;
  dueAt?: string;
  claimId?: string;
  claimUntil?: number;
  heldAt?: string;
  paceVersion?: number;
};

/** An address lock: which subscriber holds (course, mailbox); `expiresAt` (epoch s) while unconfirmed. */
export interface AddressLock {
  id: string;
  course: string;
  email: string;
  expiresAt?: number;
}

/** An outbox request as stored: the request, its TTL (epoch s), and the live lease and last failure, if any. */
export interface OutboxItem {
  request: SignupRequest;
  expiresAt: number;
  claimId?: string;
  /** Epoch ms. */
  claimUntil?: number;
  lastError?: string;
}

export interface MemorySubscriptionStoreOptions {
  /** Partitions of the due index, as config.dueShards. Default 8. */
  dueShards?: number;
}

/** Runs `work` as a store call: its answer resolves, and a throw rejects (never a synchronous throw, as from an async adapter). */
function settle<T>(work: () => T): Promise<T> {
  return new Promise((resolve) => resolve(work()));
}

const lockKey = (course: string, email: string) => `${course}#${email}`;
/** The outbox's sort key (table.ts keys.outbox): next attempt's instant, then the request id. */
const outboxKey = (r: SignupRequest) => `${r.dueAt ?? r.receivedAt}#${r.requestId}`;
const epochSeconds = (d: Date) => Math.floor(d.getTime() / 1000);
/** The lock keys tried, in order (table.ts addressLockKeys): the mailbox, then the address as typed. */
const lockKeys = (course: string, email: string) => [...new Set([lockKey(course, mailboxKey(email)), lockKey(course, email)])];

/** A subscriber as the domain sees it: a copy without the table's bookkeeping (as dynamo-store.ts's subscriberFromItem). */
function subscriberOf(row: SubscriptionRow): Subscriber {
  const { dueShard: _shard, dueAt: _due, claimId: _claim, claimUntil: _until, paceVersion: _version, ...subscriber } = structuredClone(row);
  return subscriber;
}

/** The request as a sweep reads it back (dynamo-signup-outbox.ts signupRequestFromItem): `dueAt` only once it moved. */
function requestOf(item: OutboxItem): SignupRequest {
  const { dueAt, attempts, ...request } = structuredClone(item.request);
  return {
    ...request,
    ...(attempts === undefined ? {} : { attempts }),
    ...(dueAt !== undefined && dueAt !== request.receivedAt ? { dueAt } : {}),
  };
}

/** The DynamoDB subscription store's conditions over plain maps; tests read and change the maps directly. */
export class MemorySubscriptionStore implements SubscriptionStore {
  /** Subscribers by id. */
  rows = new Map<string, SubscriptionRow>();
  /** Address locks by `<course>#<mailbox>` (or, for locks older than mailbox keys, `<course>#<address as typed>`). */
  locks = new Map<string, AddressLock>();
  /** Suppressed addresses: each suppression adds the address as typed and its mailbox (table.ts suppressionKeys). */
  suppressed = new Set<string>();
  /** Rate-limit hits by `<key>#<window>`. */
  rates = new Map<string, number>();
  /** Per-lesson `unsubscribed` counters by `<course>/<lesson 0-based>`. */
  unsubscribedAfter = new Map<string, number>();
  /** Per-lesson `votedYes`/`votedNo` counters by `<course>/<lesson 0-based>`. */
  votes = new Map<string, { votedYes: number; votedNo: number }>();
  /** The signup outbox by its sort key (next attempt's instant, then request id). */
  outbox = new Map<string, OutboxItem>();
  /** Confirmations SES refused for good, in the order held. */
  held: (HeldSignup & { expiresAt: number })[] = [];
  readonly shardCount: number;

  constructor({ dueShards = DEFAULT_DUE_SHARDS }: MemorySubscriptionStoreOptions = {}) {
    this.shardCount = dueShards;
  }

  /** Stops every spelling of the address's inbox, as the feedback store's suppressAddress does. */
  suppress(email: string): void {
    this.suppressed.add(email);
    this.suppressed.add(mailboxKey(email));
  }

  private findLock(course: string, email: string): AddressLock | undefined {
    for (const key of lockKeys(course, email)) {
      const lock = this.locks.get(key);
      if (lock !== undefined) return lock;
    }
    return undefined;
  }

  findByAddress(course: string, email: string): Promise<AddressRecord | undefined> {
    return settle(() => {
      const lock = this.findLock(course, email);
      if (lock === undefined) return undefined;
      const record: AddressRecord = { id: lock.id };
      if (lock.expiresAt !== undefined) record.expiresAt = lock.expiresAt;
      const row = this.rows.get(lock.id);
      if (row !== undefined) record.subscriber = subscriberOf(row);
      return record;
    });
  }

  getSubscriber(id: string): Promise<Subscriber | undefined> {
    return settle(() => {
      const row = this.rows.get(id);
      return row === undefined ? undefined : subscriberOf(row);
    });
  }

  isSuppressed(email: string): Promise<boolean> {
    return settle(() => this.suppressed.has(email) || this.suppressed.has(mailboxKey(email)));
  }

  hitRateLimit(key: string, now: Date, windowSeconds: number): Promise<number> {
    return settle(() => {
      const slot = `${key}#${Math.floor(now.getTime() / 1000 / windowSeconds)}`;
      const hits = (this.rates.get(slot) ?? 0) + 1;
      this.rates.set(slot, hits);
      return hits;
    });
  }

  claimAddress(lock: { course: string; email: string; id: string; expiresAt?: number }, now: Date): Promise<boolean> {
    return settle(() => {
      // Only the mailbox key is looked at, as the DynamoDB put's condition does.
      const key = lockKey(lock.course, mailboxKey(lock.email));
      const held = this.locks.get(key);
      if (held !== undefined && !(held.expiresAt !== undefined && held.expiresAt <= epochSeconds(now))) return false;
      this.locks.set(key, structuredClone(lock));
      return true;
    });
  }

  createSubscriber(subscriber: Subscriber): Promise<boolean> {
    return settle(() => {
      if (this.rows.has(subscriber.id)) return false;
      this.rows.set(subscriber.id, structuredClone(subscriber));
      return true;
    });
  }

  renewPending(id: string, renewal: PendingRenewal, resendCutoff: Date): Promise<Subscriber | undefined> {
    return settle(() => {
      const r = this.rows.get(id);
      const cutoff = resendCutoff.toISOString();
      if (!r || !['pending', 'unsubscribed'].includes(r.status)) return undefined;
      if (r.confirmationSentAt !== undefined && !(r.confirmationSentAt < cutoff)) return undefined;
      Object.assign(r, { status: 'pending', consent: structuredClone(renewal.consent), timezone: renewal.timezone });
      r.expiresAt = renewal.expiresAt;
      if (renewal.name !== undefined) r.name = renewal.name;
      for (const field of ['unknownTimezone', 'confirmationRequest'] as const) {
        if (renewal[field] !== undefined) r[field] = renewal[field];
        else delete r[field];
      }
      if (renewal.confirmationSentAt !== undefined) r.confirmationSentAt = renewal.confirmationSentAt;
      delete r.dueShard;
      delete r.dueAt;
      delete r.nextSendAt;
      // The lock's expiry follows, but only while it has one (a kept lock never gets a TTL back).
      // Tried under each key until one takes it (address-lock.ts updateAddressLock).
      const lock = lockKeys(r.course, r.email)
        .map((key) => this.locks.get(key))
        .find((l) => l?.expiresAt !== undefined && l.id === id);
      if (lock !== undefined) lock.expiresAt = renewal.expiresAt;
      return subscriberOf(r);
    });
  }

  forgetConfirmationSent(id: string, sentAt: string): Promise<void> {
    const r = this.rows.get(id);
    if (r?.confirmationSentAt === sentAt) delete r.confirmationSentAt;
    return Promise.resolve();
  }

  keepAddress(course: string, email: string, id: string): Promise<boolean> {
    return settle(() => {
      // Tried under each key until one takes it (address-lock.ts updateAddressLock).
      for (const key of lockKeys(course, email)) {
        const lock = this.locks.get(key);
        if (lock?.id === id) {
          delete lock.expiresAt;
          return true;
        }
      }
      return false;
    });
  }

  activate(id: string, { at, status, nextSendAt }: { at: Date; status: 'active' | 'completed'; nextSendAt?: Date }): Promise<boolean> {
    if (status === 'active' && nextSendAt === undefined) throw new Error('An active subscriber needs nextSendAt');
    return settle(() => {
      const r = this.rows.get(id);
      if (!r || r.status !== 'pending' || (r.expiresAt !== undefined && !(r.expiresAt > epochSeconds(at)))) return false;
      r.status = status;
      r.confirmedAt = at.toISOString();
      delete r.expiresAt;
      delete r.pausedAt;
      delete r.pausedUntil;
      if (status === 'active') {
        const due = nextSendAt!.toISOString();
        r.nextSendAt = due;
        r.dueShard = dueShardOf(id, this.shardCount);
        r.dueAt = `${due}#${id}`;
      }
      return true;
    });
  }

  unsubscribe(id: string, at: Date): Promise<Subscriber | undefined> {
    return settle(() => {
      const r = this.rows.get(id);
      if (!r || !['pending', 'active', 'completed'].includes(r.status)) return undefined;
      const before = subscriberOf(r);
      r.status = 'unsubscribed';
      r.unsubscribedAt = at.toISOString();
      delete r.dueShard;
      delete r.dueAt;
      delete r.nextSendAt;
      return before;
    });
  }

  claimKnownSignupNotice(id: string, at: Date, cutoff: Date): Promise<boolean> {
    return settle(() => {
      const r = this.rows.get(id);
      if (!r || r.status !== 'active') return false;
      if (r.knownSignupNoticeAt !== undefined && !(r.knownSignupNoticeAt < cutoff.toISOString())) return false;
      r.knownSignupNoticeAt = at.toISOString();
      return true;
    });
  }

  forgetKnownSignupNotice(id: string, at: Date): Promise<void> {
    const r = this.rows.get(id);
    if (r?.knownSignupNoticeAt === at.toISOString()) delete r.knownSignupNoticeAt;
    return Promise.resolve();
  }

  countUnsubscribeAfter(course: string, lessonIndex: number): Promise<void> {
    return settle(() => {
      if (!Number.isInteger(lessonIndex) || lessonIndex < 0)
        throw new RangeError(`lesson index must be a whole number ≥ 0, got ${lessonIndex}`);
      const key = `${course}/${lessonIndex}`;
      this.unsubscribedAfter.set(key, (this.unsubscribedAfter.get(key) ?? 0) + 1);
    });
  }

  updatePace(id: string, update: PaceUpdate, expected: PaceExpectation): Promise<boolean> {
    if (update.due === 'in' && update.set.nextSendAt === undefined) throw new Error('A learner in the due index needs nextSendAt');
    return settle(() => {
      const r = this.rows.get(id);
      if (
        !r ||
        r.status !== expected.status ||
        r.nextLesson !== expected.nextLesson ||
        (r.round ?? 1) !== expected.round ||
        (r.pausedAt !== undefined) !== expected.paused ||
        r.heldAt !== undefined ||
        (r.claimUntil !== undefined && !(r.claimUntil < expected.now.getTime())) ||
        (expected.nextNowBefore !== undefined && r.nextNowAt !== undefined && !(r.nextNowAt <= expected.nextNowBefore))
      )
        return false;
      for (const [field, value] of Object.entries(update.set)) if (value !== undefined) Object.assign(r, { [field]: value });
      for (const field of update.remove) delete r[field];
      delete r.claimId;
      delete r.claimUntil;
      r.paceVersion = (r.paceVersion ?? 0) + 1;
      if (update.due === 'in') {
        r.dueShard = dueShardOf(id, this.shardCount);
        r.dueAt = `${update.set.nextSendAt!}#${id}`;
      } else {
        delete r.dueShard;
        delete r.dueAt;
      }
      return true;
    });
  }

  /** The vote and its counters in one step, as the DynamoDB store's one transaction (dynamo-votes.ts). */
  recordVote(change: VoteChange): Promise<boolean> {
    return settle(() => {
      if (!Number.isInteger(change.lesson) || change.lesson < 0)
        throw new RangeError(`lesson index must be a whole number ≥ 0, got ${change.lesson}`);
      const r = this.rows.get(change.subscriberId);
      const key = String(change.lesson);
      if (r === undefined || (r.status !== 'active' && r.status !== 'completed')) return false;
      if (change.before === undefined ? r.votes !== undefined : r.votes?.[key] !== change.before[key]) return false;
      if (change.before !== undefined && r.votes === undefined) return false;
      const previous = r.votes?.[key];
      r.votes = { ...r.votes, [key]: change.vote };
      const counterKey = `${change.course}/${change.lesson}`;
      const counters = this.votes.get(counterKey) ?? { votedYes: 0, votedNo: 0 };
      counters[change.vote === 'yes' ? 'votedYes' : 'votedNo']++;
      if (previous !== undefined && previous !== change.vote) counters[previous === 'yes' ? 'votedYes' : 'votedNo']--;
      this.votes.set(counterKey, counters);
      return true;
    });
  }

  // --- The signup outbox ---------------------------------------------------------------------------

  enqueueSignup(request: SignupRequest, expiresAt: number): Promise<void> {
    this.outbox.set(outboxKey(request), { request: structuredClone(request), expiresAt });
    return Promise.resolve();
  }

  dueSignups(now: Date, limit: number, after?: unknown): Promise<OutboxPage> {
    return settle(() => {
      // Every key up to `<now>#~` ('~' sorts after every character of a request id), in key order.
      const last = `${now.toISOString()}#~`;
      const keys = [...this.outbox.keys()].filter((k) => k <= last && (after === undefined || k > (after as string))).sort();
      const page = keys.slice(0, Math.max(1, Math.floor(limit)));
      const requests = page.map((k) => requestOf(this.outbox.get(k)!));
      // As a DynamoDB Query with Limit: a full page says where the next starts (it may be empty).
      return page.length === Math.max(1, Math.floor(limit)) ? { requests, next: page[page.length - 1] } : { requests };
    });
  }

  claimSignup(request: SignupRequest, claimId: string, now: Date, until: Date): Promise<boolean> {
    return settle(() => {
      const item = this.outbox.get(outboxKey(request));
      if (item === undefined || (item.claimUntil !== undefined && item.claimUntil > now.getTime())) return false;
      item.claimId = claimId;
      item.claimUntil = until.getTime();
      return true;
    });
  }

  /** Takes the request out of the outbox when `claimId` holds it; false (nothing changed) otherwise. */
  private takeOut(request: SignupRequest, claimId: string): OutboxItem | undefined {
    const key = outboxKey(request);
    const item = this.outbox.get(key);
    if (item?.claimId !== claimId) return undefined;
    this.outbox.delete(key);
    return item;
  }

  finishSignup(request: SignupRequest, claimId: string): Promise<boolean> {
    return settle(() => this.takeOut(request, claimId) !== undefined);
  }

  releaseSignup(request: SignupRequest, claimId: string, retryAt: Date, error: string): Promise<void> {
    return settle(() => {
      const item = this.takeOut(request, claimId);
      if (item === undefined) return;
      const moved: SignupRequest = {
        ...structuredClone(item.request),
        attempts: (request.attempts ?? 0) + 1,
        dueAt: retryAt.toISOString(),
      };
      // The lease's end is the retry time too, so a copy read from its old place is not claimed early.
      // TTL: a week after it arrived, wherever retries move it.
      const expiresAt = Math.floor(Date.parse(moved.receivedAt) / 1000) + SIGNUP_REQUEST_TTL_SECONDS;
      this.outbox.set(outboxKey(moved), { request: moved, expiresAt, claimUntil: retryAt.getTime(), lastError: error });
    });
  }

  holdSignup(request: SignupRequest, claimId: string, held: HeldSignup, expiresAt: number): Promise<boolean> {
    return settle(() => {
      if (this.takeOut(request, claimId) === undefined) return false;
      this.held.push({ ...structuredClone(held), expiresAt });
      return true;
    });
  }

  /** The held confirmations of `course`, oldest hold first (as operator-store.ts heldSignups reads them). */
  heldSignups(course: string): HeldSignup[] {
    return this.held
      .filter((h) => h.course === course)
      .sort((a, b) => (`${a.heldAt}#${a.requestId}` < `${b.heldAt}#${b.requestId}` ? -1 : 1))
      .map(({ expiresAt: _ttl, ...h }) => structuredClone(h));
  }
}
