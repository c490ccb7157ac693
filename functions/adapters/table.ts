// The one DynamoDB table: its key scheme, the sparse sharded due index, and the CreateTable input
// the local stack and tests use (the CDK stack declares the same shape in infra/).
//
// Items (pk / sk):
//   ADDR#<course>#<mailbox> / ADDR      address lock: one subscription per (mailbox, course); holds `id`
//                                       (<mailbox> = mailboxKey(email); older locks: the address as typed)
//   SUB#<id>              / PROFILE     the subscriber (model.Subscriber); due attributes only while active
//   SUB#<id>              / SEND#<nn>   one send record per (subscriber, lesson) of round 1
//   SUB#<id>              / SEND#R<rr>#<nn>  … of round rr ≥ 2 (after a restart)
//   STATS#<course>        / LESSON#<nn> per-lesson counters (atomic ADD)
//   SUPPRESS#<sha256>     / SUPPRESS    one-way hash of an erased/suppressed address, written under
//                                       the address as typed and under its mailbox (suppressionKeys)
//   EVENT#<id>            / EVENT       an SES notification already counted (TTL)
//   RATE#<key>#<window>   / RATE        a rate-limit counter (TTL)
//   OUTBOX                / SIGNUP#<nextAttemptAt>#<requestId>  an accepted signup not yet done (TTL);
//                                       sorted by when it is next due, so a sweep reads only due requests
//   HELDSIGNUP#<course>   / <heldAt>#<requestId>  a confirmation SES refused for good (`course held`; TTL)
//   DRIPPLAN#<tick>       / PLAN        a fanned-out tick already planned (TTL)
//   DRIPSHARE#<tick>#<n>  / SHARE       sender n's share of a tick already running (TTL)
import { createHash } from 'node:crypto';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { SETTINGS } from '../config/settings.js';
import { mailboxKey } from '../core/mailbox.js';

export const DUE_INDEX = 'due';
/** Attributes of the due GSI: partition = shard, sort = `<nextSendAt ISO>#<id>`. */
export const DUE_SHARD_ATTR = 'dueShard';
export const DUE_SORT_ATTR = 'dueAt';
export const TTL_ATTR = 'expiresAt';
/**
 * Bumped by every learner's control (pause, resume, next now, restart, settings); the drip's claim
 * compares it with what it read, so a run never claims a subscriber on a state the learner changed.
 */
export const PACE_VERSION_ATTR = 'paceVersion';
export const DEFAULT_DUE_SHARDS = SETTINGS.dueShards.default;
export const OUTBOX_PK = 'OUTBOX';
export const OUTBOX_SIGNUP_PREFIX = 'SIGNUP#';

const pad2 = (n: number) => String(n).padStart(2, '0');

export const keys = {
  address: (course: string, email: string) => ({ pk: `ADDR#${course}#${email}`, sk: 'ADDR' }),
  subscriber: (id: string) => ({ pk: `SUB#${id}`, sk: 'PROFILE' }),
  /**
   * One send record per (subscriber, round, lesson). lesson is 0-based; the key shows it 1-based
   * (SEND#01 … SEND#08) to match what people read. Round 1 keeps the key it always had; a later round
   * (after a restart) is SEND#R<round>#<nn>, sorting after round 1's.
   */
  send: (id: string, lesson: number, round = 1) => ({
    pk: `SUB#${id}`,
    sk: round === 1 ? `SEND#${pad2(lesson + 1)}` : `SEND#R${pad2(round)}#${pad2(lesson + 1)}`,
  }),
  lessonStats: (course: string, lesson: number) => ({ pk: `STATS#${course}`, sk: `LESSON#${pad2(lesson + 1)}` }),
  suppression: (hash: string) => ({ pk: `SUPPRESS#${hash}`, sk: 'SUPPRESS' }),
  event: (id: string) => ({ pk: `EVENT#${id}`, sk: 'EVENT' }),
  rate: (key: string, window: number) => ({ pk: `RATE#${key}#${window}`, sk: 'RATE' }),
  /**
   * One accepted signup waiting for its work (signup-outbox.ts); one partition, sorted by the instant
   * its next attempt is due (at first its arrival; each retry moves it to its retry time).
   */
  outbox: (dueAt: string, requestId: string) => ({ pk: OUTBOX_PK, sk: `${OUTBOX_SIGNUP_PREFIX}${dueAt}#${requestId}` }),
  /** A signup whose confirmation SES refused for good, kept for the operator (`course held`). */
  heldSignup: (course: string, heldAt: string, requestId: string) => ({ pk: `HELDSIGNUP#${course}`, sk: `${heldAt}#${requestId}` }),
  /** A fanned-out tick's plan (functions/core/drip/fan-out.ts planTick): one per scheduled event. */
  dripPlan: (tick: string) => ({ pk: `DRIPPLAN#${tick}`, sk: 'PLAN' }),
  /** One sender's share of a tick: claimed before it sends, so a second delivery sends nothing. */
  dripShare: (tick: string, sender: number) => ({ pk: `DRIPSHARE#${tick}#${sender}`, sk: 'SHARE' }),
};

/**
 * Where the address lock of (course, address) may be: first under the address's mailbox (mailboxKey:
 * aliases such as `a.nn+x@googlemail.com` share one lock, so one inbox gets one subscription and one
 * confirmation per 10 minutes), then, for locks written before mailbox keys, under the address as
 * typed. New locks are written under the first; the two are one key for most addresses.
 */
export function addressLockKeys(course: string, email: string): { pk: string; sk: string }[] {
  const mailbox = keys.address(course, mailboxKey(email));
  const typed = keys.address(course, email);
  return mailbox.pk === typed.pk ? [mailbox] : [mailbox, typed];
}

/** The shard a subscriber's due entry lives in: a stable hash of its id. */
export function dueShardOf(id: string, shards = DEFAULT_DUE_SHARDS): string {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return `DUE#${h % shards}`;
}

export function dueShards(shards = DEFAULT_DUE_SHARDS): string[] {
  return Array.from({ length: shards }, (_, i) => `DUE#${i}`);
}

export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: DUE_SHARD_ATTR, AttributeType: 'S' },
      { AttributeName: DUE_SORT_ATTR, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: DUE_INDEX,
        KeySchema: [
          { AttributeName: DUE_SHARD_ATTR, KeyType: 'HASH' },
          { AttributeName: DUE_SORT_ATTR, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
  };
}

/**
 * One-way hash of a normalised address. An erased, bounced or complained address keeps only this
 * (as a SUPPRESS item) so it stays suppressed without the address being stored.
 */
export function suppressionHash(normalisedEmail: string): string {
  return createHash('sha256').update(normalisedEmail).digest('hex');
}

/**
 * The SUPPRESS items that stop `email` (a normalised address): the hash of the address as typed and
 * the hash of its mailbox (mailboxKey: `A.nn+x@googlemail.com` → `ann@gmail.com`), one key when the
 * two are the same. Suppressing writes both; an address is suppressed when either exists, so a
 * bounce, complaint or erase of one spelling of an inbox stops every spelling of it. Items written
 * before mailbox keys hold only the typed hash: `course migrate-suppressions` adds the mailbox's.
 */
export function suppressionKeys(normalisedEmail: string): { pk: string; sk: string }[] {
  const typed = keys.suppression(suppressionHash(normalisedEmail));
  const mailbox = keys.suppression(suppressionHash(mailboxKey(normalisedEmail)));
  return typed.pk === mailbox.pk ? [typed] : [mailbox, typed];
}

/*
 * Subscriber item layout (SUB#<id> / PROFILE): every field of model.Subscriber as a top-level
 * attribute, plus
 *   dueShard, dueAt   only while status = active (the sparse due index); dueAt = `<nextSendAt>#<id>`
 *   expiresAt         only while pending (TTL, epoch seconds)
 *   claimId, claimUntil (epoch ms)   a drip run's live claim on the current lesson
 *   paceVersion       bumped by each learner's control; the drip's claim checks it is as read
 * Address lock (ADDR#<course>#<email> / ADDR): { id, course, email }.
 */
