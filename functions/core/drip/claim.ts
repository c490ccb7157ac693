// Claim and check: a page of due entries is claimed (each on its own condition: still active, still
// at the due entry read, no live claim), then set aside or checked before anything is sent:
//   a course this deployment does not serve, or a bad lesson number → released, nothing sent
//   past the course's end (the course got shorter)                  → advance only (completed)
//   a `sent` record for this lesson of this round (a run died before advancing) → advance only
//   the address suppressed (bounced, complained, erased)            → held (hold.ts, via run.ts)
//   an expired claim taken over (a run died mid-send)               → sent, `drip.possible_duplicate`
//
// Its promise: only subscribers this run holds a claim on, on the lesson it read, with no record of
// that lesson sent and no suppression, reach the send step. A lost condition skips that one only.
import type { Claimed, DueEntry } from './ports.js';
import { roundOf } from '../model.js';
import { calendarNow, courseOf, dueOf, type Claim, type HoldSuppressed, type Page, type Run } from './state.js';

/**
 * Claim a page and read what it needs before sending; holds (through `hold`, hold.ts's holdSuppressed)
 * and odd cases are settled here. Answers the page: its claim id, whom to send, whom to advance only.
 */
export async function claimAndCheck(run: Run, entries: DueEntry[], hold: HoldSuppressed): Promise<Page> {
  const page: Page = { claimId: run.newClaimId(), toSend: [], advanceOnly: [] };
  const claimed = await claim(run, entries, page.claimId);
  const sendable = await setAsideUnsendable(run, page, claimed);
  await checkPage(run, page, sendable, hold);
  return page;
}

/** The claims won, each on its own condition; a lost one (someone else has it, or the person left) is skipped. */
async function claim(run: Run, entries: DueEntry[], claimId: string): Promise<Claimed[]> {
  const wallNow = run.deps.clock.now();
  const claimed = await run.deps.store.claim(entries, { claimId, now: wallNow, until: new Date(wallNow.getTime() + run.claimTtlMs) });
  run.state.counts.claimed += claimed.length;
  run.state.counts.skipped += entries.length - claimed.length;
  return claimed;
}

/** Claims that cannot be sent to are released (or, past the course's end, completed); answers the rest. */
async function setAsideUnsendable(run: Run, page: Page, claimed: Claimed[]): Promise<(Claimed & Claim)[]> {
  const { counts } = run.state;
  const sendable: (Claimed & Claim)[] = [];
  const bad: string[] = [];
  for (const c of claimed) {
    const s = c.subscriber;
    const course = courseOf(run.deps, s.course);
    if (course === undefined) {
      // A course this deployment does not serve (removed from the courses folder): nothing is
      // sent and nothing changes; they wait, due, until the course is deployed again.
      bad.push(s.id);
      run.log({ msg: 'drip.unknown_course', level: 'warn', subscriber: s.id, course: s.course });
      counts.skipped++;
    } else if (!Number.isInteger(s.nextLesson) || s.nextLesson < 0) {
      bad.push(s.id);
      run.log({ msg: 'drip.bad_subscriber', level: 'error', subscriber: s.id, nextLesson: s.nextLesson });
      counts.failed++;
    } else if (s.nextLesson >= course.lessons.length) {
      // The course got shorter than this person's place in it: nothing left to send (the
      // schedule answers `completed`; a lost advance gives the claim back like any other).
      page.advanceOnly.push({ subscriber: s, course, lesson: s.nextLesson, sentAt: calendarNow(run), dueAt: dueOf(s) });
      counts.skipped++;
    } else sendable.push({ ...c, course });
  }
  if (bad.length > 0) await run.deps.store.release(bad, page.claimId);
  return sendable;
}

/** One read of the page's send records and suppression items: already sent → advance only; suppressed → held. */
async function checkPage(run: Run, page: Page, claims: (Claimed & Claim)[], hold: HoldSuppressed): Promise<void> {
  const checks = await run.deps.store.checkBeforeSend(
    claims.map(({ subscriber: s }) => ({ subscriberId: s.id, lesson: s.nextLesson, round: roundOf(s), email: s.email })),
  );
  for (const [i, c] of claims.entries()) {
    const s = c.subscriber;
    const { sendRecord: record, suppressed } = checks[i] ?? { suppressed: true };
    if (record?.status === 'sent') {
      // A run sent and logged it, then died before advancing: finish its work, send nothing.
      // The schedule counts from when it really went out: a record older than the due time (the
      // subscriber item was lost to TTL and the address signed up again under the same id) must
      // not push each lesson already sent, and so the next unsent one, a whole cadence later.
      const sentAt = new Date(record.at);
      const due = dueOf(s);
      page.advanceOnly.push({ ...c, lesson: s.nextLesson, sentAt, dueAt: due !== undefined && due > sentAt ? sentAt : due });
      run.state.counts.skipped++;
    } else if (suppressed) {
      await hold(run, s, page.claimId);
    } else {
      if (c.tookOverExpiredClaim) {
        run.state.counts.possibleDuplicates++;
        run.log({
          msg: 'drip.possible_duplicate',
          level: 'warn',
          subscriber: s.id,
          lesson: s.nextLesson + 1,
          why: 'an earlier run died holding this lesson; sending it again',
          bound: run.state.pageSize,
        });
      }
      page.toSend.push({ subscriber: s, course: c.course });
    }
  }
}
