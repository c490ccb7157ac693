// The operator CLI, run through its real entry (main with argv) against DynamoDB Local and the SES emulator.
// Only the local path is exercised here: --table / --stack on a deployed table need AWS and are not
// run (the stack-output lookup is checked with a stand-in CloudFormation client, the one AWS mock).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { startTestStack, type TestStack } from '../../support/stack.js';
import { main } from '../../../functions/cli/main.js';
import { runExport } from '../../../functions/cli/export.js';
import { planImport, runImport } from '../../../functions/cli/import.js';
import { courseCatalog } from '../../../functions/core/courses.js';
import { createDynamoStore } from '../../../functions/adapters/dynamo-store.js';
import { createTokens, generateTokenKey } from '../../../functions/core/tokens.js';
import { createOperatorStore } from '../../../functions/cli/operator-store.js';
import { runSendTest } from '../../../functions/cli/send-test.js';
import { RequeueRefusedError, runRequeue } from '../../../functions/cli/held.js';
import { requeueHeldSubscriber } from '../../../functions/adapters/dynamo-drip-store.js';
import { runDrip } from '../../../functions/core/drip/index.js';
import { SendError, type Mailer } from '../../../functions/core/ports.js';
import { resolveTarget, tableNameOfStack } from '../../../functions/cli/target.js';
import { emulatorEmails } from '../../../functions/local/services.js';
import { parseLocalSettings } from '../../../functions/local/settings.js';
import { startLocalStack } from '../../../functions/local/stack.js';
import { DUE_INDEX, dueShardOf, keys, suppressionHash } from '../../../functions/adapters/table.js';
import type { CompiledCourse } from '../../../functions/email/compiled-course.js';
import { messageComposer } from '../../../functions/email/composer.js';
import { COURSE, seedSubscriber } from '../../support/feedback-fixtures.js';
import { SettableClock, dripDeps, lessonsReceived, readSubscriberItem, sendRecords, unsubscribe } from '../../support/drip-fixtures.js';
import { compileShippedCourse } from '../../support/course.js';
import { collector, slowReader } from '../../support/collector.js';
import { runCli } from '../../support/cli.js';

let stack: TestStack;
let compiled: CompiledCourse;
let dir: string;
beforeAll(async () => {
  stack = await startTestStack();
  compiled = await compileShippedCourse();
  dir = await mkdtemp(join(tmpdir(), 'course-cli-'));
});
afterAll(async () => {
  await stack.stop();
});

function run(args: string[], table: string) {
  // DATA_DIR: the local data folder alone (the CSV files of these tests live next to it, not in it).
  return runCli(stack, { table, dataDir: join(dir, 'data'), compiled, env: { PUBLIC_URL: 'http://localhost:3000' } }, args);
}

async function allItems(table: string): Promise<Record<string, unknown>[]> {
  return (await stack.doc.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? [];
}
const profiles = async (table: string) => (await allItems(table)).filter((i) => i.sk === 'PROFILE');

async function seedList(table: string) {
  const active = await seedSubscriber(stack.doc, table, 'active@example.com', { name: "O'Brien, Jr.", nextLesson: 3 });
  await seedSubscriber(stack.doc, table, 'quoted@example.com', { name: 'Ann "Nan" Lee' });
  await seedSubscriber(stack.doc, table, 'done@example.com', { status: 'completed', nextLesson: 8 });
  await seedSubscriber(stack.doc, table, 'waiting@example.com', { status: 'pending', nextLesson: 0 });
  await seedSubscriber(stack.doc, table, 'left@example.com', { status: 'unsubscribed' });
  await seedSubscriber(stack.doc, table, 'gone@example.com', { status: 'bounced' });
  await seedSubscriber(stack.doc, table, 'angry@example.com', { status: 'complained' });
  for (const [lesson, counters] of [
    [1, { sent: 5, delivered: 5, opened: 4, clicked: 2, unsubscribed: 1 }],
    [2, { sent: 4, delivered: 3, opened: 2, clicked: 1, bounced: 1 }],
    [3, { sent: 2, delivered: 2, opened: 1, complained: 1 }],
  ] as const) {
    await stack.doc.send(
      new PutCommand({ TableName: table, Item: { ...keys.lessonStats(COURSE, lesson - 1), course: COURSE, lesson, ...counters } }),
    );
  }
  return { active };
}

describe('course stats', () => {
  it('shows the funnel with the confirmation rate and the per-lesson counters', async () => {
    const table = await stack.newTable();
    await seedList(table);

    const { code, out } = await run(['stats'], table);

    expect(code).toBe(0);
    expect(out).toMatch(/signed up\s+7\s+█{30}$/m);
    expect(out).toMatch(/confirmed\s+6 /);
    expect(out).toMatch(/active\s+2 /);
    expect(out).toMatch(/complained\s+1 /);
    expect(out).toContain('confirmation rate: 85.7% (6 of 7)');
    // lesson 1: sent 5, delivered 5, opens 4, clicks 2, unsubscribes after 1, no votes, no bounces, complaints or not-spam reports
    expect(out).toMatch(/ 1 +Introduction +5 +5 +4 +2 +1 +0 +0 +0 +0 +0 +█/);
    expect(out).toMatch(/ 8 .* 0 +0 +0 +0 +0 +0 +0 +0 +0 +0$/m);
    expect(out).toMatch(/complaints +not spam/);
  });
});

describe('course export and import', () => {
  it('export guards every column against spreadsheet formulas, the address too, and import reads the guarded address back', async () => {
    const source = await stack.newTable();
    const risky = ['=1+2@example.com', '+44-phone@example.com', '-cmd@example.com'];
    for (const email of risky) await seedSubscriber(stack.doc, source, email, { name: '=SUM(1+2)' });
    const exported = await run(['export', '--format', 'csv'], source);
    const rows = exported.out.trim().split('\n').slice(1);
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      // No cell of the row starts with a formula character.
      const cells = row.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, '').replace(/^"/, ''));
      for (const cell of cells) expect(cell, row).not.toMatch(/^[=+\-@\t\r]/);
    }
    expect(exported.out).toContain(",'=1+2@example.com,");
    expect(exported.out).toContain(",'-cmd@example.com,");

    const file = join(dir, 'risky.csv');
    await writeFile(file, exported.out);
    const fresh = await stack.newTable();
    expect((await run(['import', file, '--consent', 'moved'], fresh)).code).toBe(0);
    expect((await profiles(fresh)).map((p) => p.email).sort()).toEqual([...risky].sort());
    for (const p of await profiles(fresh)) expect(p.name).toBe('=SUM(1+2)');
  });

  it('an exported CSV imported into a fresh table brings back the same addresses as pending, leaving out who left or bounced', async () => {
    const source = await stack.newTable();
    await seedList(source);
    const exported = await run(['export', '--format', 'csv'], source);
    expect(exported.code).toBe(0);
    expect(exported.out.split('\n')[0]).toBe(
      'id,course,email,name,status,lessons_sent,next_send_at,timezone,created_at,confirmed_at,unsubscribed_at,stopped_reason,consent_at,consent_ip,consent_user_agent,consent_page,' +
        'round,paused_at,paused_until,cadence_days,send_hour,weekday,votes_yes,votes_no',
    );
    const file = join(dir, 'export.csv');
    await writeFile(file, exported.out);

    const fresh = await stack.newTable();
    const imported = await run(['import', file, '--consent', 'moved from the old list (signup form, 2025)'], fresh);

    expect(imported.code).toBe(0);
    expect(imported.out).toMatch(/added as pending \(no emails sent\)\s+4$/m);
    expect(imported.out).toMatch(/unsubscribed: left out\s+1$/m);
    expect(imported.out).toMatch(/bounced, complained or erased: left out\s+2$/m);
    const people = await profiles(fresh);
    expect(people.map((p) => p.email).sort()).toEqual([
      'active@example.com',
      'done@example.com',
      'quoted@example.com',
      'waiting@example.com',
    ]);
    for (const p of people)
      expect(p).toMatchObject({ status: 'pending', consent: { page: 'moved from the old list (signup form, 2025)' } });
    expect(people.find((p) => p.email === 'active@example.com')?.name).toBe("O'Brien, Jr.");
    expect(people.find((p) => p.email === 'quoted@example.com')?.name).toBe('Ann "Nan" Lee');
    expect(await stack.emails()).toHaveLength(0);
  });

  it('exports JSON lines with status, lessons sent and the consent record', async () => {
    const table = await stack.newTable();
    await seedList(table);

    const { code, out } = await run(['export', '--format', 'jsonl'], table);

    expect(code).toBe(0);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(7);
    expect(lines.find((l) => l.email === 'active@example.com')).toMatchObject({
      status: 'active',
      lessonsSent: 3,
      consent: { ip: '203.0.113.7', page: 'http://localhost:3000/' },
    });
    expect(lines[0]).not.toHaveProperty('dueShard');
  });

  it('export writes page by page and waits for a slow reader', async () => {
    const table = await stack.newTable();
    for (let i = 0; i < 9; i++) await seedSubscriber(stack.doc, table, `p${i}@example.com`);
    const slow = slowReader();
    const { chunks } = slow;

    const n = await runExport({
      store: createOperatorStore({ doc: stack.doc, tableName: table }),
      out: slow,
      format: 'jsonl',
      pageSize: 4,
    });

    expect(n).toBe(9);
    // One chunk per Scan page (the filter drops the address locks, so pages hold 0–4 subscribers).
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.join('').trim().split('\n')).toHaveLength(9);
  });

  it('import reports bad rows by line, drops repeats, and never re-subscribes the unsubscribed, bounced or complained', async () => {
    const table = await stack.newTable();
    await seedSubscriber(stack.doc, table, 'active@example.com');
    const left = await seedSubscriber(stack.doc, table, 'left@example.com', { status: 'unsubscribed' });
    await seedSubscriber(stack.doc, table, 'gone@example.com', { status: 'bounced' });
    const file = join(dir, 'list.csv');
    await writeFile(
      file,
      [
        'Email,Name,Timezone',
        'new@example.com,New,Europe/Paris',
        'not-an-email,Bad,',
        '"multi',
        'line@example.com",Broken,',
        'new@example.com,Again,',
        'tz@example.com,,Mars/Olympus',
        'active@example.com,,',
        'left@example.com,,',
        'gone@example.com,,',
        'NEW2@Example.COM,,',
        '',
      ].join('\n'),
    );

    const { code, out, err } = await run(['import', file, '--consent', 'paper form at the clinic'], table);

    expect(code).toBe(0);
    // The quoted field running over lines 4-5 is one record: 9 rows under the header.
    expect(out).toMatch(/rows read\s+9$/m);
    expect(out).toMatch(/added as pending \(no emails sent\)\s+3$/m);
    expect(out).toMatch(/already on the list\s+1$/m);
    expect(out).toMatch(/unsubscribed: left out\s+1$/m);
    expect(out).toMatch(/bounced, complained or erased: left out\s+1$/m);
    expect(out).toMatch(/bad rows\s+2$/m);
    expect(out).toContain('line 6: same address as line 2');
    expect(out).toMatch(/line 3: invalid_email: /);
    expect(out).toMatch(/line 4: control_characters: /);
    // A well-formed zone nobody knows is no longer a bad row: the course's zone applies.
    expect(out).not.toMatch(/line 7:/);
    expect(err).toContain('importing [');
    const people = await profiles(table);
    expect(
      people
        .filter((p) => p.status === 'pending')
        .map((p) => p.email)
        .sort(),
    ).toEqual(['new2@example.com', 'new@example.com', 'tz@example.com']);
    expect(people.find((p) => p.email === 'tz@example.com')).toMatchObject({
      timezone: compiled.course.defaultTimezone,
      unknownTimezone: 'Mars/Olympus',
    });
    expect(people.find((p) => p.email === 'new@example.com')).toMatchObject({ timezone: 'Europe/Paris', name: 'New' });
    expect((await stack.doc.send(new GetCommand({ TableName: table, Key: keys.subscriber(left.id) }))).Item?.status).toBe('unsubscribed');
    expect(await stack.emails()).toHaveLength(0);
  });

  it('import --dry-run reports what it would do and writes nothing', async () => {
    const table = await stack.newTable();
    const file = join(dir, 'dry.csv');
    await writeFile(file, 'email\na@example.com\nb@example.com\n');

    const { code, out } = await run(['import', file, '--consent', 'webinar signup', '--dry-run'], table);

    expect(code).toBe(0);
    expect(out).toContain('Dry run: nothing written.');
    expect(out).toMatch(/would be added as pending\s+2$/m);
    expect(await allItems(table)).toHaveLength(0);
  });

  it('import --send-confirmations mails each new address, and a simulator bounce stops it through the feedback path', async () => {
    const table = await stack.newTable();
    await stack.clearEmails();
    const file = join(dir, 'confirm.csv');
    await writeFile(file, 'email\nreader@example.com\nbounce@simulator.amazonses.com\n');

    const { code, out } = await run(['import', file, '--consent', 'conference stand sign-up sheet', '--send-confirmations'], table);

    expect(code).toBe(0);
    expect(out).toMatch(/added as pending, confirmation sent\s+2$/m);
    const mails = await stack.emails();
    expect(mails.map((m) => m.destination.to[0]).sort()).toEqual(['bounce@simulator.amazonses.com', 'reader@example.com']);
    expect(mails[0]?.body.text).toContain('http://localhost:3000/confirm?token=');
    const people = await profiles(table);
    expect(people.find((p) => p.email === 'bounce@simulator.amazonses.com')?.status).toBe('bounced');
    expect(people.find((p) => p.email === 'reader@example.com')?.status).toBe('pending');
  });
});

describe('course import when the table fails', () => {
  it('stops, says how far it got, and a second run adds only the rest', async () => {
    expect.assertions(4);
    const table = await stack.newTable();
    const real = createDynamoStore({ doc: stack.doc, tableName: table, dueShards: 8 });
    let claims = 0;
    const failing = {
      ...real,
      claimAddress: (...args: Parameters<typeof real.claimAddress>) =>
        ++claims === 3 ? Promise.reject(new Error('simulated DynamoDB outage')) : real.claimAddress(...args),
    };
    const plan = planImport('email\na@example.com\nb@example.com\nc@example.com\nd@example.com\n');
    const deps = (store: typeof real) => ({
      subscriptions: {
        store,
        mailer: { sendRaw: () => Promise.reject(new Error('no mail')) },
        clock: { now: () => new Date() },
        tokens: createTokens(generateTokenKey()),
        courses: courseCatalog([compiled]),
        composer: messageComposer,
        config: { publicUrl: 'http://localhost:3000', signupsPerIpPerHour: 1e9 },
      },
      course: compiled,
      out: collector(),
      err: collector(),
    });
    const options = { consent: 'x', source: 'list.csv', sendConfirmations: false, dryRun: false, concurrency: 1 };

    const first = deps(failing);
    await expect(runImport(first, plan, options)).rejects.toThrow('simulated DynamoDB outage');
    expect(first.out.text()).toContain('Stopped after 2 of 4 rows.');
    const second = await runImport(deps(real), plan, options);
    expect(second).toMatchObject({ added: 2, alreadyListed: 2 });
    expect((await profiles(table)).map((p) => p.email).sort()).toEqual([
      'a@example.com',
      'b@example.com',
      'c@example.com',
      'd@example.com',
    ]);
  });
});

describe('course show and erase', () => {
  it('show prints the address lock, the subscriber and the send records', async () => {
    const table = await stack.newTable();
    const s = await seedSubscriber(stack.doc, table, 'someone@example.com', { name: 'Sam' });
    await stack.doc.send(
      new PutCommand({
        TableName: table,
        Item: { ...keys.send(s.id, 0), subscriberId: s.id, lesson: 0, status: 'sent', at: '2026-01-05T09:00:01.000Z', messageId: 'm-1' },
      }),
    );

    const { code, out } = await run(['show', 'Someone@Example.com'], table);

    expect(code).toBe(0);
    expect(out).toContain(`someone@example.com in ${COURSE}: 3 items held`);
    expect(out).toContain('Address lock');
    expect(out).toContain('"name": "Sam"');
    expect(out).toContain('"sk": "SEND#01"');
  });

  it('erase leaves nothing but the one-way hash, and the address cannot be imported again', async () => {
    const table = await stack.newTable();
    const s = await seedSubscriber(stack.doc, table, 'forget.me@example.com');
    for (const lesson of [0, 1]) {
      await stack.doc.send(
        new PutCommand({
          TableName: table,
          Item: { ...keys.send(s.id, lesson), subscriberId: s.id, lesson, status: 'sent', at: '2026-01-05T09:00:01.000Z' },
        }),
      );
    }

    const { code, out } = await run(['erase', 'forget.me@example.com'], table);

    expect(code).toBe(0);
    expect(out).toContain('4 items deleted (subscriber: yes, address lock: yes, send records: 2)');
    const left = await allItems(table);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ ...keys.suppression(suppressionHash('forget.me@example.com')), reason: 'erased' });
    expect(JSON.stringify(left)).not.toContain('forget.me');

    const shown = await run(['show', 'forget.me@example.com'], table);
    expect(shown.out).toContain('nothing held, suppressed');
    const file = join(dir, 'again.csv');
    await writeFile(file, 'email\nforget.me@example.com\n');
    const again = await run(['import', file, '--consent', 'old list'], table);
    expect(again.out).toMatch(/bounced, complained or erased: left out\s+1$/m);
    expect(await allItems(table)).toHaveLength(1);
  });
  it('erase sends again the deletes DynamoDB hands back unprocessed (throttling) until none are left', async () => {
    const table = await stack.newTable();
    await seedSubscriber(stack.doc, table, 'throttled@example.com');
    // A stand-in that is still a document client (the SDK's paginators insist): its first BatchWrite
    // deletes all but the last item and hands that one back, as DynamoDB does when it throttles.
    const doc = Object.create(stack.doc) as DynamoDBDocumentClient;
    const batches: number[] = [];
    doc.send = (async (command: unknown) => {
      if (command instanceof BatchWriteCommand) {
        const requests = command.input.RequestItems![table]!;
        batches.push(requests.length);
        if (batches.length === 1) {
          await stack.doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests.slice(0, -1) } }));
          return { $metadata: {}, UnprocessedItems: { [table]: requests.slice(-1) } };
        }
      }
      return stack.doc.send(command as GetCommand);
    }) as DynamoDBDocumentClient['send'];

    const { deleted } = await createOperatorStore({ doc, tableName: table }).erase(
      COURSE,
      'throttled@example.com',
      '2026-01-05T09:00:00.000Z',
    );

    expect(deleted).toHaveLength(2);
    expect(batches).toEqual([2, 1]);
    expect(await allItems(table)).toEqual([expect.objectContaining(keys.suppression(suppressionHash('throttled@example.com')))]);
  });
});

describe('course held and requeue', () => {
  // seedSubscriber puts actives in the due index with the default 8 shards (as the CLI's DUE_SHARDS).
  const SHARDS = 8;
  const REJECTION = 'SES SendRawEmail failed (MessageRejected, Email address is not verified)';

  /**
   * Two subscribers due lesson 1 a minute ago; SES refuses one of them permanently, so the drip holds
   * it. Wall-clock times, because `course requeue` makes the lesson due at the real now.
   */
  async function heldList() {
    const table = await stack.newTable();
    await stack.clearEmails();
    const DRIP_AT = new Date();
    const dueAt = new Date(DRIP_AT.getTime() - 60_000).toISOString();
    const refused = await seedSubscriber(stack.doc, table, 'refused@example.com', { nextLesson: 0, nextSendAt: dueAt });
    const fine = await seedSubscriber(stack.doc, table, 'fine@example.com', { nextLesson: 0, nextSendAt: dueAt });
    const ses = dripDeps(stack, table, compiled, { clock: new SettableClock(DRIP_AT), shards: SHARDS }).mailer;
    // The emulator accepts everything; this wrapper answers as SES does for an unverified recipient.
    const rejecting: Mailer = {
      sendRaw: (m) => (m.to === refused.email ? Promise.reject(new SendError('permanent', REJECTION)) : ses.sendRaw(m)),
    };
    const clock = new SettableClock(DRIP_AT);
    const summary = await runDrip(dripDeps(stack, table, compiled, { clock, shards: SHARDS, mailer: rejecting }), {
      now: DRIP_AT,
      deadline: new Date(DRIP_AT.getTime() + 300_000),
    });
    expect(summary).toMatchObject({ sent: 1, failed: 1 });
    return { table, refused, fine };
  }

  const dueEntries = async (table: string, id: string) =>
    (
      await stack.doc.send(
        new QueryCommand({
          TableName: table,
          IndexName: DUE_INDEX,
          KeyConditionExpression: 'dueShard = :shard',
          ExpressionAttributeValues: { ':shard': dueShardOf(id, SHARDS) },
        }),
      )
    ).Items?.filter((i) => i.pk === `SUB#${id}`) ?? [];

  it('held lists the subscriber SES refused, with the lesson, since when and why, and stats counts it', async () => {
    const { table, refused } = await heldList();
    const heldAt = String((await readSubscriberItem(stack, table, refused.id))?.heldAt);

    const { code, out } = await run(['held'], table);

    expect(code).toBe(0);
    expect(out).toContain(`Held in ${COURSE}: 1 subscriber`);
    const line = out.split('\n').find((l) => l.includes('refused@example.com'));
    expect(line?.trim().split(/ {2,}/)).toEqual(['refused@example.com', '1', 'Introduction', heldAt, REJECTION]);
    expect(out).not.toContain('fine@example.com');
    const stats = await run(['stats'], table);
    expect(stats.out).toMatch(/^ {2}active\s+2 /m);
    expect(stats.out).toMatch(/^ {4}held\s+1 /m);
  });

  it('held lists a learner whose lesson cannot be rendered, with the reason, while the run sends to everyone else', async () => {
    const table = await stack.newTable();
    await stack.clearEmails();
    const DRIP_AT = new Date();
    const dueAt = new Date(DRIP_AT.getTime() - 60_000).toISOString();
    const stuck = await seedSubscriber(stack.doc, table, 'stuck@example.com', { nextLesson: 1, nextSendAt: dueAt });
    const fine = await seedSubscriber(stack.doc, table, 'fine@example.com', { nextLesson: 0, nextSendAt: dueAt });
    // Lesson 2 as a build before this one could compile it: a placeholder no lesson has a value for.
    const broken = { ...compiled, lessons: compiled.lessons.map((l, i) => (i === 1 ? { ...l, text: `${l.text}\n{{confirmUrl}}` } : l)) };
    const clock = new SettableClock(DRIP_AT);
    const summary = await runDrip(dripDeps(stack, table, broken, { clock, shards: SHARDS }), {
      now: DRIP_AT,
      deadline: new Date(DRIP_AT.getTime() + 300_000),
    });
    expect(summary).toMatchObject({ due: 2, sent: 1, failed: 1, held: 1 });
    expect(await lessonsReceived(stack, fine.email)).toEqual([1]);
    expect(await lessonsReceived(stack, stuck.email)).toEqual([]);

    const { code, out } = await run(['held'], table);
    expect(code).toBe(0);
    const line = out.split('\n').find((l) => l.includes('stuck@example.com'));
    expect(line).toMatch(/ 2 .*lesson 2 cannot be rendered: it has no value for \{\{confirmUrl\}\}/);
  });

  it('held says so when nobody is held', async () => {
    const table = await stack.newTable();
    await seedSubscriber(stack.doc, table, 'fine@example.com');

    const { code, out } = await run(['held'], table);

    expect(code).toBe(0);
    expect(out).toBe(`Nobody is held in ${COURSE}.\n`);
  });

  it('requeue puts the held subscriber back in the due index, and the next drip run sends the held lesson', async () => {
    const { table, refused, fine } = await heldList();
    expect(await dueEntries(table, refused.id)).toHaveLength(0);

    const { code, out } = await run(['requeue', 'Refused@Example.com'], table);

    expect(code).toBe(0);
    expect(out).toMatch(/^Requeued refused@example\.com: lesson 1 \(Introduction\) is due now \(.+\); the next drip run sends it\.$/m);
    expect(out).toContain(`It had been held since `);
    const item = await readSubscriberItem(stack, table, refused.id);
    expect(item).toMatchObject({ status: 'active', nextLesson: 0 });
    expect(item?.heldAt).toBeUndefined();
    expect(item?.heldReason).toBeUndefined();
    expect(await dueEntries(table, refused.id)).toHaveLength(1);

    // The requeue made it due at the wall clock's now; the next run (SES fixed) sends the held lesson 1
    // to it and nothing to the other, whose lesson 2 is a week away.
    const at = new Date(Date.parse(String(item?.nextSendAt)) + 1000);
    const clock = new SettableClock(at);
    expect(
      await runDrip(dripDeps(stack, table, compiled, { clock, shards: SHARDS }), { now: at, deadline: new Date(at.getTime() + 300_000) }),
    ).toMatchObject({ due: 1, sent: 1 });
    expect(await lessonsReceived(stack, refused.email)).toEqual([1]);
    expect(await lessonsReceived(stack, fine.email)).toEqual([1]);
    expect(await sendRecords(stack, table, refused.id)).toMatchObject([{ lesson: 0, status: 'sent' }]);
    expect((await run(['held'], table)).out).toBe(`Nobody is held in ${COURSE}.\n`);
  });

  it.each([
    [
      'an unknown address',
      'nobody@example.com',
      'course requeue: nobody@example.com has no subscription to botox-permanent-numbness; nothing to requeue',
    ],
    ['an active subscriber who is not held', 'fine@example.com', 'course requeue: fine@example.com is not held: lesson 2 is due 20'],
    ['an unsubscribed address', 'left@example.com', 'course requeue: left@example.com is unsubscribed, not held; nothing to requeue'],
  ])('requeue refuses %s with exit code 1 and changes nothing', async (_what, email, message) => {
    const { table } = await heldList();
    await seedSubscriber(stack.doc, table, 'left@example.com', { status: 'unsubscribed' });
    const before = await allItems(table);

    const { code, out, err } = await run(['requeue', email], table);

    expect(code).toBe(1);
    expect(err).toContain(message);
    expect(out).toBe('');
    expect(await allItems(table)).toEqual(before);
  });

  it('requeue refuses when the subscriber unsubscribes between the read and the write, and leaves them out of the due index', async () => {
    expect.assertions(4); // one in heldList
    const { table, refused } = await heldList();
    const out = collector();

    await expect(
      runRequeue({
        store: createOperatorStore({ doc: stack.doc, tableName: table }),
        requeue: async (id, at) => {
          await unsubscribe(stack, table, id, at, SHARDS);
          return requeueHeldSubscriber({ doc: stack.doc, tableName: table, dueShards: SHARDS }, id, at);
        },
        out,
        course: { slug: COURSE, lessons: compiled.course.lessons },
        email: refused.email,
        now: new Date('2026-01-05T10:00:00.000Z'),
      }),
    ).rejects.toThrow(RequeueRefusedError);
    expect(out.text()).toBe('');
    expect(await dueEntries(table, refused.id)).toHaveLength(0);
  });
});

describe('course send-test', () => {
  it('sends the lesson marked as a test, and writes no send record and no counter', async () => {
    const table = await stack.newTable();
    await stack.clearEmails();

    const { code, out } = await run(['send-test', '--to', 'me@example.com', '--lesson', '2'], table);

    expect(code).toBe(0);
    expect(out).toContain('Sent lesson 2 of 8');
    const mails = await stack.emails();
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toBe(`[TEST] ${compiled.course.lessons[1]?.subject ?? ''}`);
    expect(await allItems(table)).toHaveLength(0);
  });

  it('carries the X-Course-Test header', async () => {
    let raw = '';
    await runSendTest(
      {
        mailer: { sendRaw: (m) => ((raw = Buffer.from(m.raw).toString()), Promise.resolve({ messageId: 'x' })) },
        compiled,
        publicUrl: 'http://localhost:3000',
        out: collector(),
      },
      { to: 'me@example.com', lesson: 1 },
    );
    expect(raw).toMatch(/^X-Course-Test: true$/m);
    expect(raw).toMatch(/^Subject: \[TEST\] /m);
  });
});

describe('bad arguments', () => {
  it.each([
    [['frobnicate']],
    [['export', '--format', 'xml']],
    [['export', 'extra']],
    [['show']],
    [['show', 'not-an-address']],
    [['erase', 'a@example.com', 'b@example.com']],
    [['import', 'list.csv']],
    [['import', '/nonexistent/list.csv', '--consent', 'x']],
    [['import', 'list.csv', '--consent', 'x', '--force']],
    [['send-test', '--to', 'me@example.com', '--lesson', '9']],
    [['send-test', '--to', 'me@example.com', '--lesson', 'one']],
    [['send-test', '--lesson', '1']],
    [['send-test', '--to', 'me@example.com', '--lesson', '0x1']],
    [['send-test', '--to', 'me@example.com', '--lesson', '1e0']],
    [['stats', '--table', '']],
    [['stats', '--stack', ' ']],
    [['show', 'a@example.com', '--course', '']],
    [['stats', '--table', 't', '--stack', 's']],
    [['held', 'someone@example.com']],
    [['held', '--force']],
    [['requeue']],
    [['requeue', 'not-an-address']],
    [['requeue', 'a@example.com', 'b@example.com']],
    [['requeue', 'a@example.com', '--at', 'now']],
  ])('%j gives the usage on stderr, exit code 2, and changes nothing', async (args) => {
    const table = await stack.newTable();
    await stack.clearEmails();

    const { code, out, err } = await run(args, table);

    expect(code).toBe(2);
    expect(err).toContain('Usage: course <command>');
    expect(out).toBe('');
    expect(await allItems(table)).toHaveLength(0);
    expect(await stack.emails()).toHaveLength(0);
  });

  it('import --send-confirmations on a deployed table without its link key and URL is refused before connecting', async () => {
    const table = await stack.newTable();
    const file = join(dir, 'deployed.csv');
    await writeFile(file, 'email\na@example.com\n');

    const { code, err } = await run(['import', file, '--consent', 'x', '--send-confirmations', '--table', table], table);

    expect(code).toBe(2);
    expect(err).toContain('needs TOKEN_SECRET_ID and PUBLIC_URL');
  });

  it('a file with no email column is refused whole, with exit code 1', async () => {
    const table = await stack.newTable();
    const file = join(dir, 'noheader.csv');
    await writeFile(file, 'a@example.com\nb@example.com\n');

    const { code, err } = await run(['import', file, '--consent', 'x'], table);

    expect(code).toBe(1);
    expect(err).toContain('line 1: the first line must be a header with an "email" column');
    expect(await allItems(table)).toHaveLength(0);
  });
});

describe('where the CLI points', () => {
  it("with no --table or --stack it finds the local stack through npm start's own settings (DYNAMODB_PORT, SES_PORT, PORT, DATA_DIR, TABLE_NAME)", async () => {
    const data = await mkdtemp(join(tmpdir(), 'course-cli-local-'));
    // `npm start` on the test's DynamoDB Local and SES emulator (no second JVM), with its own table.
    const table = await stack.newTable();
    const local = await startLocalStack({
      settings: {
        ...parseLocalSettings({
          DATA_DIR: data,
          DRIP_EVERY: '0',
          TABLE_NAME: table,
          AWS_ENDPOINT_URL_DYNAMODB: stack.dynamoUrl,
          AWS_ENDPOINT_URL_SES: stack.sesUrl,
        }),
        port: 0,
        sesPort: 0,
        dynamodbPort: 0,
      },
      log: () => undefined,
    });
    try {
      const res = await fetch(`${local.url}/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'same-shell@example.com' }),
      });
      expect(res.status).toBe(200);
      await local.signupsSettled();
      // The environment `npm start` was given (as in one shell), and nothing else: no AWS_ENDPOINT_URL_*.
      const env = {
        PORT: new URL(local.url).port,
        DYNAMODB_PORT: new URL(local.dynamodbUrl).port,
        SES_PORT: new URL(local.inboxUrl).port,
        DATA_DIR: data,
        TABLE_NAME: table,
      };
      const out = collector();
      const err = collector();
      expect(
        await main(['show', 'same-shell@example.com'], { out, err, env, compileCourse: () => Promise.resolve(compiled) }),
        err.text(),
      ).toBe(0);
      expect(out.text()).toContain('pending');
      const sent = collector();
      expect(
        await main(['send-test', '--to', 'operator@example.com', '--lesson', '1'], {
          out: sent,
          err,
          env,
          compileCourse: () => Promise.resolve(compiled),
        }),
        err.text(),
      ).toBe(0);
      const test = (await emulatorEmails(local.inboxUrl)).find((m) => m.destination.to.includes('operator@example.com'));
      expect(test?.body.text).toContain(`${local.url}/unsubscribe?token=`);
    } finally {
      await local.stop();
      await rm(data, { recursive: true, force: true });
    }
  });

  it('resolves the local target from the same parser as npm start, AWS_ENDPOINT_URL_* first', async () => {
    const t = await resolveTarget({}, { DYNAMODB_PORT: '8300', SES_PORT: '8301', TABLE_NAME: 'other' });
    try {
      expect(t.description).toBe('local table other at http://127.0.0.1:8300');
      expect(t.local?.sesPort).toBe(8301);
    } finally {
      t.close();
    }
    const overridden = await resolveTarget({}, { DYNAMODB_PORT: '8300', AWS_ENDPOINT_URL_DYNAMODB: 'http://db.local:9000' });
    try {
      expect(overridden.description).toBe('local table email-course at http://db.local:9000');
    } finally {
      overridden.close();
    }
    await expect(resolveTarget({}, { DYNAMODB_PORT: 'eighty' })).rejects.toThrow('Bad setting DYNAMODB_PORT');
  });

  it('when the local stack is not running it says so and exits 1', async () => {
    const out = collector();
    const err = collector();
    const code = await main(['stats'], { out, err, env: { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' } });
    expect(code).toBe(1);
    expect(err.text()).toContain('Is the local stack running?');
  });

  it('on a table that is not there it says so and exits 1 (told by the error class, not its text)', async () => {
    const out = collector();
    const err = collector();
    const code = await main(['stats'], { out, err, env: { AWS_ENDPOINT_URL_DYNAMODB: stack.dynamoUrl, TABLE_NAME: 'no-such-table' } });
    expect(code).toBe(1);
    expect(err.text()).toContain('No table no-such-table there.');
  });

  it('--stack reads the table name from the stack outputs (CloudFormation replaced by a stand-in: no AWS here)', async () => {
    const fake = {
      send: () =>
        Promise.resolve({
          Stacks: [
            {
              Outputs: [
                { OutputKey: 'ApiUrl', OutputValue: 'https://x' },
                { OutputKey: 'TableName', OutputValue: 'course-prod-table' },
              ],
            },
          ],
        }),
      destroy: () => undefined,
    } as unknown as CloudFormationClient;
    expect(await tableNameOfStack('course-prod', fake)).toBe('course-prod-table');
  });
});
