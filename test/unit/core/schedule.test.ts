import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import {
  LATE_SEND_TOLERANCE_MS,
  cadenceStart,
  canonicalTimezone,
  firstSendTime,
  isValidTimezone,
  localDate,
  nextSendSlot,
  nextSendTime,
  nextSendTimeAfter,
  paceOf,
  parseSendHour,
  resolveTimezone,
  sendSlotOnDate,
} from '../../../functions/core/schedule.js';

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;

/** Next weekly 09:00 send after `after` (an ISO instant) in `timezone`, as an ISO instant. */
function weekly(after: string, timezone: string, sendHour = '09:00'): string {
  return nextSendTime({ after: new Date(after), cadenceDays: 7, sendHour, timezone, defaultTimezone: 'Europe/Paris' }).toISOString();
}

function local(instant: Date | string, zone: string): string {
  return DateTime.fromJSDate(new Date(instant), { zone }).toFormat('yyyy-MM-dd HH:mm ZZ');
}

describe('time zones', () => {
  it('accepts IANA zone names and UTC', () => {
    for (const tz of ['Europe/Paris', 'America/New_York', 'Asia/Kathmandu', 'Pacific/Chatham', 'UTC', 'Etc/GMT+5']) {
      expect(isValidTimezone(tz), tz).toBe(true);
    }
  });

  it('rejects unknown names, offsets and junk', () => {
    for (const tz of [
      '',
      'Mars/Olympus',
      'Europe/Pariss',
      '+05:30',
      'UTC+5',
      'GMT+0530',
      ' Europe/Paris',
      '../etc/passwd',
      'Europe/Paris\n',
    ]) {
      expect(isValidTimezone(tz), JSON.stringify(tz)).toBe(false);
    }
  });

  it('fixes the case of a listed zone and keeps aliases as given', () => {
    expect(canonicalTimezone('europe/paris')).toBe('Europe/Paris');
    expect(canonicalTimezone('Asia/Kathmandu')).toBe('Asia/Kathmandu');
    expect(canonicalTimezone('US/Eastern')).toBe('US/Eastern');
    expect(canonicalTimezone('America/New_York')).toBe('America/New_York');
    expect(canonicalTimezone('Nowhere/Else')).toBeUndefined();
  });

  it('falls back to the default for an unknown or absent zone', () => {
    expect(resolveTimezone('Asia/Kathmandu', 'Europe/Paris')).toBe('Asia/Kathmandu');
    expect(resolveTimezone('Mars/Olympus', 'Europe/Paris')).toBe('Europe/Paris');
    expect(resolveTimezone(undefined, 'Europe/Paris')).toBe('Europe/Paris');
    expect(resolveTimezone('', 'Europe/Paris')).toBe('Europe/Paris');
  });

  it('refuses an unknown default zone (a configuration bug)', () => {
    expect(() => resolveTimezone('Mars/Olympus', 'Also/Unknown')).toThrow(/default time zone/);
  });
});

describe('send hour', () => {
  it('parses HH:MM', () => {
    expect(parseSendHour('09:00')).toEqual({ hour: 9, minute: 0 });
    expect(parseSendHour('23:59')).toEqual({ hour: 23, minute: 59 });
    expect(parseSendHour('00:00')).toEqual({ hour: 0, minute: 0 });
  });

  it('rejects anything else', () => {
    for (const bad of ['9:00', '24:00', '09:60', '0900', '09:00:00', '', ' 09:00']) {
      expect(() => parseSendHour(bad), bad).toThrow(/HH:MM/);
    }
  });
});

describe('firstSendTime', () => {
  it('makes lesson 1 due at confirmation', () => {
    const confirmedAt = new Date('2026-03-03T14:17:05.123Z');
    expect(firstSendTime(confirmedAt).toISOString()).toBe('2026-03-03T14:17:05.123Z');
    expect(firstSendTime(confirmedAt)).not.toBe(confirmedAt);
  });
});

describe('nextSendTime', () => {
  it('a 09:00 send is followed by the 09:00 send seven days later', () => {
    expect(weekly('2026-06-01T07:00:00.000Z', 'Europe/Paris')).toBe('2026-06-08T07:00:00.000Z');
  });

  it('a lesson due exactly at the bound is due then (at or after)', () => {
    expect(weekly('2026-06-01T07:00:00.000Z', 'Europe/Paris')).toBe('2026-06-08T07:00:00.000Z');
    expect(
      nextSendTime({
        after: new Date('2026-06-01T07:00:00.000Z'),
        cadenceDays: 0,
        sendHour: '09:00',
        timezone: 'Europe/Paris',
        defaultTimezone: 'UTC',
      }).toISOString(),
    ).toBe('2026-06-01T07:00:00.000Z');
  });

  it('a lesson confirmed in the afternoon is followed by 09:00 on the day after the cadence', () => {
    // Confirmed Tue 3 March 14:17 in Paris; +7 days is Tue 10 March 14:17, after that day's 09:00.
    expect(weekly('2026-03-03T13:17:00.000Z', 'Europe/Paris')).toBe('2026-03-11T08:00:00.000Z');
  });

  it('a send at 23:30 local rounds to the next 09:00 after the cadence', () => {
    const next = weekly('2026-06-01T21:30:00.000Z', 'Europe/Paris'); // Mon 1 June 23:30 CEST
    expect(local(next, 'Europe/Paris')).toBe('2026-06-09 09:00 +02:00');
  });

  it('a send a minute before the hour is followed by that hour seven days later', () => {
    expect(local(weekly('2026-06-01T06:59:00.000Z', 'Europe/Paris'), 'Europe/Paris')).toBe('2026-06-08 09:00 +02:00');
  });

  it('keeps 09:00 local when New York springs forward (7 days less an hour)', () => {
    const next = weekly('2026-03-05T14:00:00.000Z', 'America/New_York'); // Thu 09:00 EST
    expect(next).toBe('2026-03-12T13:00:00.000Z'); // Thu 09:00 EDT
    expect(Date.parse(next) - Date.parse('2026-03-05T14:00:00.000Z')).toBe(WEEK - HOUR);
  });

  it('keeps 09:00 local when New York falls back (7 days and an hour)', () => {
    const next = weekly('2026-10-29T13:00:00.000Z', 'America/New_York'); // Thu 09:00 EDT
    expect(next).toBe('2026-11-05T14:00:00.000Z'); // Thu 09:00 EST
    expect(Date.parse(next) - Date.parse('2026-10-29T13:00:00.000Z')).toBe(WEEK + HOUR);
  });

  it('keeps 09:00 local across both European changes', () => {
    expect(weekly('2026-03-26T08:00:00.000Z', 'Europe/Paris')).toBe('2026-04-02T07:00:00.000Z');
    expect(weekly('2026-10-22T07:00:00.000Z', 'Europe/Paris')).toBe('2026-10-29T08:00:00.000Z');
  });

  it('keeps 09:00 local across both Sydney changes (southern hemisphere)', () => {
    // DST ends 5 April 2026 (AEDT +11 → AEST +10) and starts 4 October 2026.
    expect(weekly('2026-03-31T22:00:00.000Z', 'Australia/Sydney')).toBe('2026-04-07T23:00:00.000Z');
    expect(weekly('2026-09-30T23:00:00.000Z', 'Australia/Sydney')).toBe('2026-10-07T22:00:00.000Z');
  });

  it('handles the quarter-hour zone Asia/Kathmandu (+05:45)', () => {
    expect(weekly('2026-06-01T03:15:00.000Z', 'Asia/Kathmandu')).toBe('2026-06-08T03:15:00.000Z');
    expect(local(weekly('2026-06-01T10:00:00.000Z', 'Asia/Kathmandu'), 'Asia/Kathmandu')).toBe('2026-06-09 09:00 +05:45');
  });

  it('handles the half-hour zone America/St_Johns (-03:30, -02:30 in summer)', () => {
    expect(weekly('2026-01-05T12:30:00.000Z', 'America/St_Johns')).toBe('2026-01-12T12:30:00.000Z');
    expect(weekly('2026-03-05T12:30:00.000Z', 'America/St_Johns')).toBe('2026-03-12T11:30:00.000Z');
  });

  it('handles Pacific/Chatham (+13:45 in summer, +12:45 in winter) across both changes', () => {
    expect(weekly('2026-03-31T19:15:00.000Z', 'Pacific/Chatham')).toBe('2026-04-07T20:15:00.000Z');
    expect(weekly('2026-09-23T20:15:00.000Z', 'Pacific/Chatham')).toBe('2026-09-30T19:15:00.000Z');
  });

  it('works on both sides of the date line (Kiritimati +14, Pago Pago -11)', () => {
    expect(weekly('2026-03-02T19:00:00.000Z', 'Pacific/Kiritimati')).toBe('2026-03-09T19:00:00.000Z');
    expect(weekly('2026-03-03T20:00:00.000Z', 'Pacific/Pago_Pago')).toBe('2026-03-10T20:00:00.000Z');
    // One confirmation instant is Wed 00:00 in Kiritimati and Mon 23:00 in Pago Pago: each counts
    // its own local days, so the next lessons are 25 hours apart although both are at 09:00.
    const confirmed = '2026-03-03T10:00:00.000Z';
    expect(local(weekly(confirmed, 'Pacific/Kiritimati'), 'Pacific/Kiritimati')).toBe('2026-03-11 09:00 +14:00');
    expect(local(weekly(confirmed, 'Pacific/Pago_Pago'), 'Pacific/Pago_Pago')).toBe('2026-03-10 09:00 -11:00');
  });

  it('uses the default zone for an unknown zone', () => {
    expect(weekly('2026-06-01T07:00:00.000Z', 'Mars/Olympus')).toBe('2026-06-08T07:00:00.000Z');
    expect(weekly('2026-06-01T07:00:00.000Z', '')).toBe('2026-06-08T07:00:00.000Z');
  });

  it('a send hour inside a spring-forward gap is due when the gap ends', () => {
    // 02:30 does not exist in New York on 8 March 2026: clocks jump from 02:00 EST to 03:00 EDT.
    const next = weekly('2026-03-01T07:30:00.000Z', 'America/New_York', '02:30');
    expect(next).toBe('2026-03-08T07:00:00.000Z');
    expect(local(next, 'America/New_York')).toBe('2026-03-08 03:00 -04:00');
    // The week after, 02:30 exists again, and the schedule has not slipped a day.
    expect(local(weekly(next, 'America/New_York', '02:30'), 'America/New_York')).toBe('2026-03-15 02:30 -04:00');
  });

  it('a send hour inside a fall-back overlap is due at its first occurrence', () => {
    // 01:30 happens twice in New York on 1 November 2026 (EDT, then EST).
    expect(weekly('2026-10-25T05:30:00.000Z', 'America/New_York', '01:30')).toBe('2026-11-01T05:30:00.000Z');
    // Sent at either occurrence, the next lesson is a week later, not a day more.
    expect(local(weekly('2026-11-01T05:30:00.000Z', 'America/New_York', '01:30'), 'America/New_York')).toBe('2026-11-08 01:30 -05:00');
    expect(local(weekly('2026-11-01T06:30:00.000Z', 'America/New_York', '01:30'), 'America/New_York')).toBe('2026-11-08 01:30 -05:00');
  });

  it('a day the zone skipped entirely moves the send to the next day (Samoa, 30 December 2011)', () => {
    const next = weekly('2011-12-23T19:00:00.000Z', 'Pacific/Apia'); // Fri 23 Dec 09:00 at -10
    expect(local(next, 'Pacific/Apia')).toBe('2011-12-31 09:00 +14:00');
  });

  it('counts the cadence in days', () => {
    const next = nextSendTime({
      after: new Date('2026-06-01T07:00:00.000Z'),
      cadenceDays: 1,
      sendHour: '09:00',
      timezone: 'Europe/Paris',
      defaultTimezone: 'UTC',
    });
    expect(next.toISOString()).toBe('2026-06-02T07:00:00.000Z');
  });

  it('rejects a bad cadence or send hour', () => {
    const base = { after: new Date('2026-06-01T07:00:00.000Z'), timezone: 'Europe/Paris', defaultTimezone: 'UTC' };
    expect(() => nextSendTime({ ...base, cadenceDays: -1, sendHour: '09:00' })).toThrow(/cadenceDays/);
    expect(() => nextSendTime({ ...base, cadenceDays: 1.5, sendHour: '09:00' })).toThrow(/cadenceDays/);
    expect(() => nextSendTime({ ...base, cadenceDays: 7, sendHour: '9am' })).toThrow(/HH:MM/);
  });

  it('agrees with the plain "first 09:00 at or after after + 7 local days" rule at 300 random instants', () => {
    const zones = [
      'America/New_York',
      'Europe/Paris',
      'Australia/Sydney',
      'Asia/Kathmandu',
      'America/St_Johns',
      'Pacific/Chatham',
      'Pacific/Kiritimati',
      'Pacific/Pago_Pago',
    ];
    let seed = 42;
    const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 300; i++) {
      const zone = zones[i % zones.length]!;
      const after = new Date(Date.parse('2026-01-01T00:00:00Z') + Math.floor(random() * 365 * 24 * 60) * 60_000);
      const bound = DateTime.fromJSDate(after, { zone }).plus({ days: 7 });
      let expected = bound.set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
      if (expected < bound) expected = expected.plus({ days: 1 }).set({ hour: 9, minute: 0 });
      expect(weekly(after.toISOString(), zone), `${zone} ${after.toISOString()}`).toBe(expected.toUTC().toISO());
    }
  });

  describe('a year of weekly lessons stays at 09:00 local, 7 days (±1 h at DST changes) apart', () => {
    const zones = [
      'America/New_York',
      'Europe/Paris',
      'Australia/Sydney',
      'Asia/Kathmandu',
      'America/St_Johns',
      'Pacific/Chatham',
      'Pacific/Kiritimati',
      'Pacific/Pago_Pago',
      'Australia/Lord_Howe',
      'America/Santiago',
      'Asia/Tokyo',
      'UTC',
    ];
    it.each(zones)('%s', (zone) => {
      let due = firstSendTime(new Date('2026-01-02T16:43:00.000Z'));
      const sends = [due];
      for (let lesson = 1; lesson < 53; lesson++) {
        due = nextSendTime({ after: due, cadenceDays: 7, sendHour: '09:00', timezone: zone, defaultTimezone: 'UTC' });
        sends.push(due);
      }
      for (const [i, send] of sends.entries()) {
        if (i === 0) continue;
        expect(local(send, zone).slice(11, 16), `lesson ${i + 1}`).toBe('09:00');
        if (i === 1) continue; // lesson 1 was at the confirmation's time of day
        const gap = send.getTime() - sends[i - 1]!.getTime();
        expect(Math.abs(gap - WEEK), `gap before lesson ${i + 1}`).toBeLessThanOrEqual(HOUR);
        expect(DateTime.fromJSDate(send, { zone }).weekday).toBe(DateTime.fromJSDate(sends[1]!, { zone }).weekday);
      }
    });
  });
});

describe('the late-send rule', () => {
  const paris = { cadenceDays: 7, sendHour: '09:00', timezone: 'Europe/Paris', defaultTimezone: 'UTC' };
  const T = (iso: string) => new Date(iso);

  it('a lesson sent on time counts the next one from its due time', () => {
    const sent = { dueAt: T('2026-03-03T08:00:00Z'), sentAt: T('2026-03-03T08:00:03Z') };
    expect(cadenceStart(sent).toISOString()).toBe('2026-03-03T08:00:00.000Z');
    expect(nextSendTimeAfter(sent, paris).toISOString()).toBe('2026-03-10T08:00:00.000Z');
  });

  it('a lesson drained late from a long queue (09:00 due, out at 10:40) keeps the weekly 09:00', () => {
    const sent = { dueAt: T('2026-03-03T08:00:00Z'), sentAt: T('2026-03-03T09:40:00Z') };
    expect(cadenceStart(sent).toISOString()).toBe('2026-03-03T08:00:00.000Z');
    expect(nextSendTimeAfter(sent, paris).toISOString()).toBe('2026-03-10T08:00:00.000Z');
  });

  it('up to half a day late still counts from the due time; later than that, from half a day before the send', () => {
    const dueAt = T('2026-03-03T08:00:00Z');
    const atTolerance = new Date(dueAt.getTime() + LATE_SEND_TOLERANCE_MS);
    expect(cadenceStart({ dueAt, sentAt: atTolerance })).toEqual(dueAt);
    const later = new Date(atTolerance.getTime() + 60_000);
    expect(cadenceStart({ dueAt, sentAt: later }).getTime()).toBe(later.getTime() - LATE_SEND_TOLERANCE_MS);
  });

  it('after an outage the next lesson comes at least a cadence minus half a day after the late one, at the send hour', () => {
    // Due Tue 3 March 09:00 Paris, sent Thu 5 March 16:00 Paris: counted from 04:00 Paris on the 5th.
    const sent = { dueAt: T('2026-03-03T08:00:00Z'), sentAt: T('2026-03-05T15:00:00Z') };
    const next = nextSendTimeAfter(sent, paris);
    expect(next.toISOString()).toBe('2026-03-12T08:00:00.000Z');
    expect(next.getTime() - sent.sentAt.getTime()).toBeGreaterThanOrEqual(WEEK - LATE_SEND_TOLERANCE_MS);
  });

  it('with no due time the cadence counts from the send', () => {
    const sentAt = T('2026-03-03T13:17:00Z');
    expect(cadenceStart({ sentAt })).toEqual(sentAt);
    expect(nextSendTimeAfter({ sentAt }, paris).toISOString()).toBe(weekly('2026-03-03T13:17:00Z', 'Europe/Paris'));
  });

  it('is nextSendTime counted from the cadence start, in the subscriber’s zone (unknown zones fall back)', () => {
    const sent = { dueAt: T('2026-06-01T13:00:00Z'), sentAt: T('2026-06-02T12:00:00Z') };
    for (const timezone of ['America/New_York', 'Asia/Kathmandu', 'Not/AZone']) {
      expect(nextSendTimeAfter(sent, { ...paris, timezone })).toEqual(nextSendTime({ ...paris, timezone, after: cadenceStart(sent) }));
    }
  });
});

describe("the learner's own pace", () => {
  const course = { cadenceDays: 7, sendHour: '09:00', defaultTimezone: 'UTC' };

  it("paceOf: the learner's choices over the course's; a weekday only with a cadence of whole weeks", () => {
    expect(paceOf({ timezone: 'Europe/Berlin' }, course)).toEqual({
      cadenceDays: 7,
      sendHour: '09:00',
      timezone: 'Europe/Berlin',
      defaultTimezone: 'UTC',
    });
    expect(paceOf({ timezone: 'UTC', cadenceDays: 14, sendHour: '18:30', weekday: 2 }, course)).toEqual({
      cadenceDays: 14,
      sendHour: '18:30',
      weekday: 2,
      timezone: 'UTC',
      defaultTimezone: 'UTC',
    });
    expect(paceOf({ timezone: 'UTC', cadenceDays: 3, weekday: 2 }, course).weekday).toBeUndefined();
  });

  it('a weekday: the first such day at or after the cadence, at the hour, across the Berlin and New York DST weeks', () => {
    // Wednesday 25 March 2026, 09:00 Berlin (CET); + 7 days lands on Wednesday 1 April (CEST); Monday wanted: 6 April.
    const after = new Date('2026-03-25T08:00:00.000Z');
    const monday = nextSendTime({
      after,
      cadenceDays: 7,
      sendHour: '09:00',
      timezone: 'Europe/Berlin',
      defaultTimezone: 'UTC',
      weekday: 1,
    });
    expect(local(monday, 'Europe/Berlin')).toBe('2026-04-06 09:00 +02:00');
    const wednesday = nextSendTime({
      after,
      cadenceDays: 7,
      sendHour: '09:00',
      timezone: 'Europe/Berlin',
      defaultTimezone: 'UTC',
      weekday: 3,
    });
    expect(local(wednesday, 'Europe/Berlin')).toBe('2026-04-01 09:00 +02:00');
    // New York, 1 November 2026 (fall back): Sunday 07:30 weekly from Sunday 25 October.
    const ny = nextSendTime({
      after: new Date('2026-10-25T11:30:00.000Z'),
      cadenceDays: 7,
      sendHour: '07:30',
      timezone: 'America/New_York',
      defaultTimezone: 'UTC',
      weekday: 7,
    });
    expect(local(ny, 'America/New_York')).toBe('2026-11-01 07:30 -05:00');
    expect(() => nextSendTime({ after, cadenceDays: 7, sendHour: '09:00', timezone: 'UTC', defaultTimezone: 'UTC', weekday: 8 })).toThrow(
      /weekday/,
    );
  });

  it('nextSendSlot: the send hour at or after an instant, in 30- and 45-minute zones too', () => {
    const kolkata = paceOf({ timezone: 'Asia/Kolkata' }, course);
    expect(nextSendSlot(new Date('2026-03-04T03:30:00.000Z'), kolkata).toISOString()).toBe('2026-03-04T03:30:00.000Z');
    expect(nextSendSlot(new Date('2026-03-04T03:30:00.001Z'), kolkata).toISOString()).toBe('2026-03-05T03:30:00.000Z');
    const kathmandu = paceOf({ timezone: 'Asia/Kathmandu', sendHour: '18:00' }, course);
    expect(nextSendSlot(new Date('2026-03-04T00:00:00.000Z'), kathmandu).toISOString()).toBe('2026-03-04T12:15:00.000Z');
    const weekly = paceOf({ timezone: 'UTC', weekday: 5 }, course);
    expect(nextSendSlot(new Date('2026-03-04T12:00:00.000Z'), weekly).toISOString()).toBe('2026-03-06T09:00:00.000Z');
  });

  it('sendSlotOnDate: the send hour of a local date (a spring-forward gap at the end of the gap); not a date: undefined', () => {
    const ny = paceOf({ timezone: 'America/New_York', sendHour: '02:30' }, course);
    expect(local(sendSlotOnDate('2026-03-08', ny)!, 'America/New_York')).toBe('2026-03-08 03:00 -04:00');
    expect(local(sendSlotOnDate('2026-03-09', ny)!, 'America/New_York')).toBe('2026-03-09 02:30 -04:00');
    for (const bad of ['2026-02-29', '2026-3-9', '20260309', '2026-03-09T00:00']) expect(sendSlotOnDate(bad, ny), bad).toBeUndefined();
    expect(localDate(new Date('2026-03-04T12:00:00.000Z'), paceOf({ timezone: 'Pacific/Kiritimati' }, course))).toBe('2026-03-05');
  });
});
