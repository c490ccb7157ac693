// `course import` as an operator runs it (main with argv, DynamoDB Local and the SES emulator): an
// import without --send-confirmations says when the unconfirmed rows expire and how to mail them;
// importing again with the flag sends the rows already pending their confirmation, within the
// one-per-10-minutes rule; a file that is not UTF-8 is refused with the fix named, or read with --encoding.
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompiledCourse } from '../../../functions/email/compiled-course.js';
import { startTestStack, type TestStack } from '../../support/stack.js';
import { compileShippedCourse } from '../../support/course.js';
import { runCli } from '../../support/cli.js';

let stack: TestStack;
let compiled: CompiledCourse;
let dir: string;
beforeAll(async () => {
  stack = await startTestStack();
  compiled = await compileShippedCourse();
  dir = await mkdtemp(join(tmpdir(), 'course-import-'));
});
afterAll(async () => {
  await stack.stop();
});

function run(args: string[], table: string) {
  return runCli(stack, { table, dataDir: join(dir, 'data'), compiled, env: { PUBLIC_URL: 'http://localhost:3000' } }, args);
}

const profiles = async (table: string) =>
  ((await stack.doc.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? []).filter((i) => i.sk === 'PROFILE');
const mailsTo = async (addresses: string[]) =>
  (await stack.emails()).filter((m) => m.destination.to.some((to) => addresses.includes(to.toLowerCase())));

async function csvFile(content: string | Buffer): Promise<string> {
  const file = join(dir, `${randomUUID().slice(0, 8)}.csv`);
  await writeFile(file, content);
  return file;
}

describe('course import and unconfirmed rows', () => {
  it('without --send-confirmations it says the rows expire, when, and how to send them; with it, the rows already pending get their confirmation', async () => {
    const table = await stack.newTable();
    const u = randomUUID().slice(0, 6);
    const people = [`ann${u}@example.com`, `bob${u}@example.com`];
    const file = await csvFile(`email,name\n${people[0]},Ann\n${people[1]},Bob\n`);

    const quiet = await run(['import', file, '--consent', 'paper form at the clinic'], table);
    expect(quiet.code).toBe(0);
    expect(quiet.out).toMatch(/added as pending \(no emails sent\)\s+2$/m);
    expect(quiet.out).toContain('Nobody was emailed. 2 rows are pending without a confirmation email');
    expect(quiet.out).toMatch(/expire 7 days after they are written \(the new ones on \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\)/);
    expect(quiet.out).toContain('run the same import again with --send-confirmations');
    const expiry = /the new ones on (\S+)\)/.exec(quiet.out)?.[1];
    const expiresAt = (await profiles(table)).map((p) => Number(p.expiresAt));
    for (const at of expiresAt) expect(Math.abs(at - Date.parse(expiry!) / 1000)).toBeLessThan(60);
    expect(await mailsTo(people)).toHaveLength(0);

    // The same list again without the flag: still nobody mailed, and the notice still says so.
    const again = await run(['import', file, '--consent', 'paper form at the clinic'], table);
    expect(again.out).toMatch(/already on the list\s+2$/m);
    expect(again.out).toContain('2 rows are pending without a confirmation email (2 of them were already pending');
    expect(await mailsTo(people)).toHaveLength(0);

    const sent = await run(['import', file, '--consent', 'paper form at the clinic', '--send-confirmations'], table);
    expect(sent.code).toBe(0);
    expect(sent.out).toMatch(/already pending: confirmation sent\s+2$/m);
    expect(sent.out).toContain('Each confirmation link works for 7 days');
    const mails = await mailsTo(people);
    expect(mails.map((m) => m.destination.to[0]).sort()).toEqual([...people].sort());
    for (const m of mails) expect(m.body.text).toContain('http://localhost:3000/confirm?token=');
    // The pending subscriptions were kept, still pending.
    expect((await profiles(table)).map((p) => String(p.status))).toEqual(['pending', 'pending']);

    // At once again: the one-per-10-minutes rule holds, nothing more is sent.
    const soon = await run(['import', file, '--consent', 'paper form at the clinic', '--send-confirmations'], table);
    expect(soon.out).toMatch(/already pending: a confirmation went out under 10 minutes ago, not sent again\s+2$/m);
    expect(await mailsTo(people)).toHaveLength(2);
  });

  it('--dry-run --send-confirmations counts the pending rows that would be sent and sends nothing', async () => {
    const table = await stack.newTable();
    const u = randomUUID().slice(0, 6);
    const old = `old${u}@example.com`;
    await run(['import', await csvFile(`email\n${old}\n`), '--consent', 'webinar'], table);
    const file = await csvFile(`email\n${old}\nnew${u}@example.com\n`);

    const dry = await run(['import', file, '--consent', 'webinar', '--send-confirmations', '--dry-run'], table);
    expect(dry.out).toMatch(/already pending: confirmation would be sent\s+1$/m);
    expect(dry.out).toMatch(/would be added as pending\s+1$/m);
    expect(await mailsTo([old, `new${u}@example.com`])).toHaveLength(0);
    expect(await profiles(table)).toHaveLength(1);
  });
});

describe('course import and the file encoding', () => {
  const header = 'email,name\n';
  const latin1 = (s: string) => Buffer.from(s, 'latin1');
  const utf16be = (s: string) => Buffer.from(s, 'utf16le').swap16();

  it.each([
    ['Latin-1', latin1(`${header}jose@example.com,José\n`), 'windows-1252'],
    [
      'Windows-1252 (curly apostrophe)',
      Buffer.concat([latin1(`${header}ob@example.com,O`), Buffer.from([0x92]), latin1('Brien\n')]),
      'windows-1252',
    ],
    [
      'UTF-16LE with a byte-order mark',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${header}zoe@example.com,Zoë\n`, 'utf16le')]),
      'utf-16le',
    ],
    ['UTF-16BE with a byte-order mark', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(`${header}zoe@example.com,Zoë\n`)]), 'utf-16be'],
    ['UTF-16LE without a byte-order mark', Buffer.from(`${header}zoe@example.com,Zoë\n`, 'utf16le'), 'utf-16le'],
  ])('a %s file is refused, nothing written, with the fix named', async (_what, bytes, named) => {
    const table = await stack.newTable();
    const { code, err } = await run(['import', await csvFile(bytes), '--consent', 'old list'], table);
    expect(code).toBe(1);
    expect(err).toContain('course import: ');
    expect(err).toContain('CSV UTF-8');
    expect(err).toContain(`--encoding ${named}`);
    expect(err).toContain('Nothing was imported.');
    expect(await profiles(table)).toHaveLength(0);
  });

  it('names the line of the first byte that is not UTF-8', async () => {
    const table = await stack.newTable();
    const bytes = latin1(`${header}a@example.com,Ann\nb@example.com,Bob\nc@example.com,Chloé\n`);
    const { err } = await run(['import', await csvFile(bytes), '--consent', 'old list'], table);
    expect(err).toContain('line 4 is not UTF-8 (byte 0xE9)');
  });

  it.each([
    ['latin1', latin1(`${header}jose@example.com,José Ñúñez\n`), 'José Ñúñez'],
    [
      'windows-1252',
      Buffer.concat([latin1(`${header}jose@example.com,O`), Buffer.from([0x92]), latin1('Brien '), Buffer.from([0x80]), latin1('\n')]),
      'O\u2019Brien \u20ac',
    ],
    ['utf-16le', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${header}jose@example.com,Zoë 李\n`, 'utf16le')]), 'Zoë 李'],
    ['utf-16be', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(`${header}jose@example.com,Zoë 李\n`)]), 'Zoë 李'],
    ['utf-8', Buffer.from(`\ufeff${header}jose@example.com,Zoë 李\n`), 'Zoë 李'],
  ])('--encoding %s reads the names as written', async (encoding, bytes, name) => {
    const table = await stack.newTable();
    const { code, out } = await run(['import', await csvFile(bytes), '--consent', 'old list', '--encoding', encoding], table);
    expect(code).toBe(0);
    expect(out).toMatch(/added as pending \(no emails sent\)\s+1$/m);
    expect((await profiles(table))[0]).toMatchObject({ email: 'jose@example.com', name });
  });

  it('a UTF-8 file with a byte-order mark needs no option; an unknown --encoding is a usage error', async () => {
    const table = await stack.newTable();
    const file = await csvFile(Buffer.from(`\ufeff${header}zoe@example.com,Zoë\n`));
    expect((await run(['import', file, '--consent', 'old list'], table)).code).toBe(0);
    expect((await profiles(table))[0]).toMatchObject({ name: 'Zoë' });
    const bad = await run(['import', file, '--consent', 'old list', '--encoding', 'ebcdic'], table);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--encoding must be one of utf-8, windows-1252, latin1, utf-16le, utf-16be');
  });
});
