// The drip's DripStore in memory, for unit tests of runDrip: the same conditions as the DynamoDB store
// (functions/adapters/dynamo-drip-store.ts), which is the truth. test/support/drip-store-contract.ts runs
// the same tests against both; where they disagree, this one is fixed.
import type { Advance, AdvanceOutcome, Claimed, DripStore, DueEntry, SendCheck } from '../../functions/core/drip/index.js';
import { PAGE_MAX } from '../../functions/core/drip/index.js';
import type { SendRecord, Subscriber } from '../../functions/core/model.js';
import { DEFAULT_DUE_SHARDS, dueShardOf, dueShards } from '../../functions/adapters/table.js';

/**
 * A subscriber as the table holds it: the model's fields plus the bookkeeping the drip writes (the due
 * index entry, a run's claim, a hold). `dueShard`/`dueAt` only while in the due index; `claimUntil` in epoch ms.
 */
export type DripStoreRow = Subscriber & {
  dueShard?: string;
  dueAt?: string;
  claimId?: string;
  claimUntil?: number;
  heldAt?: string;
  heldReason?: string;
  /** Bumped by each learner's control (memory-subscription-store.ts updatePace). */
  paceVersion?: number;
};

/** Fields of a row that are storage bookkeeping, not part of model.Subscriber (as dynamo-store.ts's BOOKKEEPING). */
const BOOKKEEPING = ['dueShard', 'dueAt', 'claimId', 'claimUntil', 'paceVersion'] as const;

/** The send log's key of (subscriber, round, lesson); round 1 keeps the key it had before rounds (`<id>/<lesson>`). */
export const sendKey = (id: string, lesson: number, round = 1): string => (round === 1 ? `${id}/${lesson}` : `${id}/r${round}/${lesson}`);

function subscriberOf(row: DripStoreRow): Subscriber {
  const copy: Record<string, unknown> = { ...row };
  for (const key of BOOKKEEPING) delete copy[key];
  return copy as unknown as Subscriber;
}

const byDueAt = (a: DueEntry, b: DueEntry) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : 0);

/** Runs `work` as a store call: its answer resolves, and a throw rejects (never a synchronous throw, as from an async adapter). */
function settle<T>(work: () => T): Promise<T> {
  return new Promise((resolve) => resolve(work()));
}

function assertPage(what: string, size: number): void {
  if (size > PAGE_MAX) throw new Error(`${what}: a page holds at most ${PAGE_MAX} subscribers, got ${size}`);
}

export interface MemoryDripStoreOptions {
  /** The course slug `add` gives a subscriber unless told otherwise. Default 'unit-course'. */
  course?: string;
  /** Partitions of the due index, as config.dueShards; shards are named and assigned as table.ts does. Default 8. */
  dueShards?: number;
}

/** The DynamoDB drip store's conditions over plain maps; tests read and change `rows`, `records` and `suppressed` directly. */
export class MemoryDripStore implements DripStore {
  /** Subscribers by id. */
  rows = new Map<string, DripStoreRow>();
  /** The send log by sendKey: `<subscriberId>/<lesson>` in round 1, `<subscriberId>/r<round>/<lesson>` after. */
  records = new Map<string, SendRecord>();
  /** Suppressed addresses (normalised, as the suppression items' hashes are of normalised addresses). */
  suppressed = new Set<string>();
  readonly course: string;
  readonly shardCount: number;

  constructor({ course = 'unit-course', dueShards: shardCount = DEFAULT_DUE_SHARDS }: MemoryDripStoreOptions = {}) {
    this.course = course;
    this.shardCount = shardCount;
  }

  /** An active subscriber as confirmation leaves them: in the due index at `nextSendAt`, on lesson 0 unless `extra` says. */
  add(id: string, nextSendAt: Date, extra: Partial<Subscriber> = {}): Subscriber {
    const at = nextSendAt.toISOString();
    const subscriber: Subscriber = {
      id,
      course: this.course,
      email: `${id}@example.com`,
      timezone: 'Europe/Paris',
      status: 'active',
      nextLesson: 0,
      nextSendAt: at,
      consent: { at, ip: '192.0.2.1', userAgent: 'unit', page: 'unit' },
      createdAt: at,
      ...extra,
    };
    this.rows.set(id, { ...subscriber, dueShard: dueShardOf(id, this.shardCount), dueAt: `${at}#${id}` });
    return subscriber;
  }

  /** As the subscription store's unsubscribe: out of the due index at once; false unless pending, active or completed. */
  unsubscribe(id: string, at: Date): boolean {
    const r = this.rows.get(id);
    if (!r || !['pending', 'active', 'completed'].includes(r.status)) return false;
    r.status = 'unsubscribed';
    r.unsubscribedAt = at.toISOString();
    delete r.dueShard;
    delete r.dueAt;
    delete r.nextSendAt;
    return true;
  }

  findDue(now: Date, shards: readonly string[] = dueShards(this.shardCount)): Promise<DueEntry[]> {
    const upper = new Date(now.getTime() + 1).toISOString();
    return Promise.resolve(
      [...this.rows.values()]
        .filter((r) => r.dueShard !== undefined && r.dueAt !== undefined && r.dueAt < upper && shards.includes(r.dueShard))
        .map((r) => ({ id: r.id, dueAt: r.dueAt! }))
        .sort(byDueAt),
    );
  }

  claim(entries: DueEntry[], c: { claimId: string; now: Date; until: Date }): Promise<Claimed[]> {
    return settle(() => {
      assertPage('claim', entries.length);
      return entries.flatMap((entry) => {
        const r = this.rows.get(entry.id);
        if (!r || r.status !== 'active' || r.dueAt !== entry.dueAt || (r.claimUntil !== undefined && r.claimUntil >= c.now.getTime()))
          return [];
        const tookOverExpiredClaim = r.claimId !== undefined;
        r.claimId = c.claimId;
        r.claimUntil = c.until.getTime();
        // Due: a pause "until a date" has come to its end.
        delete r.pausedAt;
        delete r.pausedUntil;
        return [{ subscriber: subscriberOf(r), tookOverExpiredClaim }];
      });
    });
  }

  holdsClaim(id: string, claimId: string): Promise<boolean> {
    const r = this.rows.get(id);
    return Promise.resolve(r?.status === 'active' && r.claimId === claimId);
  }

  checkBeforeSend(items: { subscriberId: string; lesson: number; round?: number; email: string }[]): Promise<SendCheck[]> {
    return settle(() => {
      assertPage('send check', items.length);
      return items.map(({ subscriberId, lesson, round, email }) => {
        const sendRecord = this.records.get(sendKey(subscriberId, lesson, round));
        return { ...(sendRecord === undefined ? {} : { sendRecord: { ...sendRecord } }), suppressed: this.suppressed.has(email) };
      });
    });
  }

  logSends(records: SendRecord[]): Promise<void> {
    for (const rec of records) this.records.set(sendKey(rec.subscriberId, rec.lesson, rec.round), { ...rec });
    return Promise.resolve();
  }

  /** Per-lesson `sent` counters, keyed `<course>/<lesson 0-based>`. */
  readonly sentCounters = new Map<string, number>();

  countSent(counts: { course: string; lesson: number; sent: number }[]): Promise<void> {
    for (const c of counts)
      this.sentCounters.set(`${c.course}/${c.lesson}`, (this.sentCounters.get(`${c.course}/${c.lesson}`) ?? 0) + c.sent);
    return Promise.resolve();
  }

  recordSend(rec: SendRecord): Promise<boolean> {
    const key = sendKey(rec.subscriberId, rec.lesson, rec.round);
    if (this.records.get(key)?.status === 'sent') return Promise.resolve(false);
    this.records.set(key, { ...rec });
    return Promise.resolve(true);
  }

  advance(items: { subscriberId: string; advance: Advance }[]): Promise<AdvanceOutcome[]> {
    return Promise.resolve(items.map(({ subscriberId, advance }) => this.advanceOne(subscriberId, advance)));
  }

  private advanceOne(id: string, a: Advance): AdvanceOutcome {
    const r = this.rows.get(id);
    // A lost condition: someone moved them past this lesson (overtaken), or they left or the claim went (lost).
    if (!r || r.claimId !== a.claimId || r.nextLesson !== a.lesson || r.status !== 'active' || (r.round ?? 1) !== (a.round ?? 1))
      return r !== undefined && (r.round ?? 1) === (a.round ?? 1) && r.nextLesson > a.lesson ? 'overtaken' : 'lost';
    r.nextLesson = a.lesson + 1;
    r.lastSentAt = a.sentAt;
    delete r.claimId;
    delete r.claimUntil;
    if (a.next === 'completed') {
      r.status = 'completed';
      delete r.nextSendAt;
      delete r.dueShard;
      delete r.dueAt;
    } else {
      r.nextSendAt = a.next.nextSendAt;
      r.dueAt = `${a.next.nextSendAt}#${id}`;
    }
    return 'advanced';
  }

  hold(id: string, h: { claimId: string; lesson: number; at: string; reason: string }): Promise<boolean> {
    const r = this.rows.get(id);
    if (!r || r.claimId !== h.claimId || r.nextLesson !== h.lesson || r.status !== 'active') return Promise.resolve(false);
    r.heldAt = h.at;
    r.heldReason = h.reason;
    delete r.dueShard;
    delete r.dueAt;
    delete r.claimId;
    delete r.claimUntil;
    return Promise.resolve(true);
  }

  release(ids: string[], claimId: string): Promise<void> {
    for (const id of ids) {
      const r = this.rows.get(id);
      if (r?.claimId === claimId) {
        delete r.claimId;
        delete r.claimUntil;
      }
    }
    return Promise.resolve();
  }
}
