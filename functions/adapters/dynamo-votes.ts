// The learner's vote on a lesson (core/votes.ts) on DynamoDB: one TransactWriteItems of two updates,
// the subscriber's `votes` map (conditional on the vote as read and on the subscription being active
// or completed) and the lesson's STATS item (votedYes/votedNo ADDs), so the counters never move
// without the vote and a double click counts once.
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DependencyError } from '../core/errors.js';
import type { VoteChange } from '../core/subscription-store.js';
import type { DocTable } from './dynamo-client.js';
import { keys } from './table.js';

const COUNTER = { yes: 'votedYes', no: 'votedNo' } as const;

/** The subscriber's half: a first vote writes the map (none may exist yet), a later one its entry. */
function voteUpdate(tableName: string, change: VoteChange) {
  const lesson = String(change.lesson);
  const previous = change.before?.[lesson];
  const values: Record<string, unknown> = { ':active': 'active', ':completed': 'completed' };
  const names: Record<string, string> = { '#status': 'status' };
  let update: string;
  let condition = '#status IN (:active, :completed) AND ';
  if (change.before === undefined) {
    // A nested SET cannot create the map it writes into.
    update = 'SET votes = :votes';
    condition += 'attribute_not_exists(votes)';
    values[':votes'] = { [lesson]: change.vote };
  } else {
    update = 'SET votes.#lesson = :vote';
    names['#lesson'] = lesson;
    values[':vote'] = change.vote;
    if (previous === undefined) condition += 'attribute_exists(votes) AND attribute_not_exists(votes.#lesson)';
    else {
      condition += 'votes.#lesson = :previous';
      values[':previous'] = previous;
    }
  }
  return {
    Update: {
      TableName: tableName,
      Key: keys.subscriber(change.subscriberId),
      UpdateExpression: update,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/** The lesson's counters: one more for the new vote, one less for the one it replaces. */
function countersUpdate(tableName: string, change: VoteChange) {
  const previous = change.before?.[String(change.lesson)];
  const moved = previous !== undefined && previous !== change.vote;
  return {
    Update: {
      TableName: tableName,
      Key: keys.lessonStats(change.course, change.lesson),
      // The lesson number is kept as an attribute, as the other counters keep it (dynamo-feedback-store.ts).
      UpdateExpression: `ADD #new :one${moved ? ', #old :minusOne' : ''} SET #course = :course, #n = :n`,
      ExpressionAttributeNames: {
        '#new': COUNTER[change.vote],
        '#course': 'course',
        '#n': 'lesson',
        ...(moved ? { '#old': COUNTER[previous] } : {}),
      },
      ExpressionAttributeValues: { ':one': 1, ':course': change.course, ':n': change.lesson + 1, ...(moved ? { ':minusOne': -1 } : {}) },
    },
  };
}

/** SubscriptionStore.recordVote: false when the condition failed or a concurrent transaction took the item first. */
export async function recordVote({ doc, tableName }: DocTable, change: VoteChange): Promise<boolean> {
  if (!Number.isInteger(change.lesson) || change.lesson < 0)
    throw new RangeError(`lesson index must be a whole number ≥ 0, got ${change.lesson}`);
  try {
    await doc.send(new TransactWriteCommand({ TransactItems: [voteUpdate(tableName, change), countersUpdate(tableName, change)] }));
    return true;
  } catch (e: unknown) {
    if (lostRace(e)) return false;
    throw new DependencyError('DynamoDB vote failed', e);
  }
}

/** A cancelled transaction whose reasons are only a failed condition or a conflicting transaction. */
function lostRace(e: unknown): boolean {
  if (!(e instanceof Error) || e.name !== 'TransactionCanceledException') return false;
  const reasons = (e as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return (
    reasons.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict') &&
    reasons.every(
      (r) => r.Code === undefined || r.Code === 'None' || r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict',
    )
  );
}
