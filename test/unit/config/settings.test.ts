// The settings every entry point reads (Lambda, `npm start`, the CLI, the benchmark) are built from
// one set of parts, names and defaults (functions/config/): a bad value fails naming its variable,
// blank means unset, the old token-secret name still works with a warning, and each default is
// written once and agrees everywhere.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig, parsePlannerSettings, parseSendingLambdaSettings } from '../../../functions/adapters/config.js';
import { DEFAULT_DUE_SHARDS } from '../../../functions/adapters/table.js';
import { parseCliSettings } from '../../../functions/cli/target.js';
import { DEFAULT_PUBLIC_URL, DEFAULTS, ENV } from '../../../functions/config/settings.js';
import { SettingError, type Env } from '../../../functions/config/parts.js';
import type { LogEntry } from '../../../functions/core/ports.js';
import { parseLocalSettings } from '../../../functions/local/settings.js';
import { parseBenchSettings } from '../../../bench/options.js';
import { BENCH_SHARDS } from '../../../bench/seed.js';

const lambda = { [ENV.tokenSecretId]: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:key' };
const planner = { [ENV.senderFunctionName]: 'sender', [ENV.dripTickSeconds]: '300' };
const quiet = () => undefined;

/** The SettingError `read` throws. */
function settingError(read: () => unknown): SettingError {
  try {
    read();
  } catch (e: unknown) {
    if (e instanceof SettingError) return e;
    throw e;
  }
  throw new Error('no SettingError was thrown');
}

describe('a bad value fails naming its variable, in every entry point', () => {
  const cases: [entry: string, parse: (env: Env) => unknown, variable: string, value: string][] = [];
  const add = (entry: string, parse: (env: Env) => unknown, variable: string, ...values: string[]) =>
    values.forEach((value) => cases.push([entry, parse, variable, value]));
  add('Lambda', parseConfig, 'MAX_SEND_RATE', '0', 'fast', '-1');
  add('Lambda', parseConfig, 'SEND_CONCURRENCY', '0', '0.5', 'many');
  add('Lambda', parseConfig, 'DUE_SHARDS', '0', 'eight');
  add('Lambda', parseConfig, 'SIGNUPS_PER_IP_PER_HOUR', 'lots');
  add('Lambda', parseConfig, 'RATE_PER_SENDER', '0');
  add('Lambda', parseConfig, 'DRIP_SENDERS', 'x');
  add('Lambda', parseConfig, 'PUBLIC_URL', 'ftp://files.example.org', 'not a url');
  add('Lambda', parseConfig, 'SENDER_ADDRESS', 'not-an-address');
  add('Lambda', parseConfig, 'CLIENT_IP_HEADER', 'x-forwarded-for');
  add('the api and drip Lambdas', (env) => parseSendingLambdaSettings({ ...lambda, ...env }, quiet), 'MAX_SEND_RATE', 'fast');
  add('the drip planner', (env) => parsePlannerSettings({ ...planner, ...env }), 'DRIP_TICK_SECONDS', '30', '1e3', 'often');
  add('npm start', parseLocalSettings, 'PORT', 'abc', '70000', '-1');
  add('npm start', parseLocalSettings, 'DRIP_EVERY', 'weekly', '10ms');
  add('npm start', parseLocalSettings, 'AWS_ENDPOINT_URL_DYNAMODB', 'ftp://x');
  add('npm start', parseLocalSettings, 'DUE_SHARDS', 'eight');
  add('the CLI', parseCliSettings, 'PUBLIC_URL', 'course.example.com');
  add('the CLI', parseCliSettings, 'DUE_SHARDS', 'eight');
  add('Lambda', parseConfig, 'EVENTS_INCLUDE_EMAIL', 'maybe', 'y');
  add('npm start', parseLocalSettings, 'EVENTS_INCLUDE_EMAIL', 'sometimes');
  add('the CLI', parseCliSettings, 'EVENTS_INCLUDE_EMAIL', '2');

  it.each(cases)('%s: %s=%j', (_entry, parse, variable, value) => {
    const e = settingError(() => parse({ [variable]: value }));
    expect(e.setting).toBe(variable);
    expect(e.message).toMatch(new RegExp(`^Bad setting ${variable}: .+, got "${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"$`));
  });

  it('the benchmark names the option', () => {
    const e = settingError(() => parseBenchSettings({ quick: false, rate: '0' }, {}));
    expect(e.setting).toBe('--rate');
    expect(e.message).toBe('Bad setting --rate: must be a whole number ≥ 1, got "0"');
    expect(settingError(() => parseBenchSettings({ quick: false, sizes: '1000,lots' }, {})).setting).toBe('--sizes');
  });

  it('a Lambda without its required settings fails naming each', () => {
    expect(() => parseSendingLambdaSettings({}, quiet)).toThrow(
      'Bad setting TOKEN_SECRET_ID: required (the Secrets Manager secret holding the link-signing key)',
    );
    expect(settingError(() => parsePlannerSettings({ [ENV.dripTickSeconds]: '300' })).setting).toBe('SENDER_FUNCTION_NAME');
    expect(settingError(() => parsePlannerSettings({ [ENV.senderFunctionName]: 'sender' })).setting).toBe('DRIP_TICK_SECONDS');
  });
});

describe('values as the shell gives them', () => {
  it('events carry no address unless EVENTS_INCLUDE_EMAIL says yes; EVENT_BUS_NAME is unset by default', () => {
    expect(parseConfig({})).toMatchObject({ eventsIncludeEmail: false, eventBusName: undefined });
    for (const yes of ['true', 'TRUE', '1', 'yes', 'on']) expect(parseConfig({ EVENTS_INCLUDE_EMAIL: yes }).eventsIncludeEmail).toBe(true);
    for (const no of ['false', '0', 'no', 'off', '']) expect(parseConfig({ EVENTS_INCLUDE_EMAIL: no }).eventsIncludeEmail).toBe(false);
    expect(parseConfig({ EVENT_BUS_NAME: ' course-bus ' }).eventBusName).toBe('course-bus');
  });

  it('blank means unset: the default applies', () => {
    const c = parseConfig({ TABLE_NAME: '  ', MAX_SEND_RATE: '', DUE_SHARDS: ' ' });
    expect(c).toMatchObject({ tableName: DEFAULTS.tableName, maxSendRate: DEFAULTS.maxSendRate, dueShards: DEFAULTS.dueShards });
    expect(() => parseSendingLambdaSettings({ TOKEN_SECRET_ID: ' ' }, quiet)).toThrow('TOKEN_SECRET_ID');
  });

  it('values are trimmed, counts rounded down, URLs lose their trailing slashes', () => {
    expect(parseConfig({ TABLE_NAME: ' course ', SEND_CONCURRENCY: '2.5', PUBLIC_URL: 'https://c.example.org//' })).toMatchObject({
      tableName: 'course',
      sendConcurrency: 2,
      publicUrl: 'https://c.example.org',
    });
  });

  it('the planner reads its tick and sender as well as the app settings', () => {
    expect(parsePlannerSettings({ ...planner, TABLE_NAME: 't' })).toEqual({
      app: parseConfig({ TABLE_NAME: 't' }),
      senderFunctionName: 'sender',
      dripTickSeconds: 300,
    });
  });
});

describe('one name for the token secret', () => {
  it('TOKEN_SECRET_ID is read, with no warning', () => {
    const logged: LogEntry[] = [];
    const s = parseSendingLambdaSettings({ ...lambda, LAMBDA_TASK_ROOT: '/var/task' }, (e) => logged.push(e));
    expect(s).toMatchObject({ tokenSecretId: lambda.TOKEN_SECRET_ID, taskRoot: '/var/task' });
    expect(logged).toEqual([]);
  });

  it('the old TOKEN_SECRET_ARN is still read, with one warning naming the new name', () => {
    const logged: LogEntry[] = [];
    const s = parseSendingLambdaSettings({ TOKEN_SECRET_ARN: 'arn:old' }, (e) => logged.push(e));
    expect(s.tokenSecretId).toBe('arn:old');
    expect(logged).toEqual([{ level: 'warn', msg: 'setting renamed', setting: 'TOKEN_SECRET_ARN', use: 'TOKEN_SECRET_ID' }]);
  });

  it('when both are set, TOKEN_SECRET_ID wins and nothing is logged', () => {
    const logged: LogEntry[] = [];
    expect(parseSendingLambdaSettings({ ...lambda, TOKEN_SECRET_ARN: 'arn:old' }, (e) => logged.push(e)).tokenSecretId).toBe(
      lambda.TOKEN_SECRET_ID,
    );
    expect(logged).toEqual([]);
  });

  it('the CLI reads the same name', () => {
    expect(parseCliSettings({ TOKEN_SECRET_ID: 'course-token-key' }).tokenSecretId).toBe('course-token-key');
  });
});

describe('each default is written once, and every entry point agrees on it', () => {
  it('Lambda, npm start and the CLI share the app defaults', () => {
    const { publicUrl, ...app } = parseConfig({});
    expect(publicUrl).toBe(DEFAULT_PUBLIC_URL);
    expect(parseLocalSettings({}).app).toEqual(app);
    expect(parseCliSettings({}).dueShards).toBe(app.dueShards);
    expect(app).toMatchObject({
      tableName: DEFAULTS.tableName,
      maxSendRate: DEFAULTS.maxSendRate,
      sendConcurrency: DEFAULTS.sendConcurrency,
      dueShards: DEFAULTS.dueShards,
      signupsPerIpPerHour: DEFAULTS.signupsPerIpPerHour,
      dripSenders: DEFAULTS.dripSenders,
      ratePerSender: DEFAULTS.ratePerSender,
    });
  });

  it('npm start defaults to the documented ports, folder and interval', () => {
    expect(parseLocalSettings({})).toMatchObject({
      port: DEFAULTS.port,
      sesPort: DEFAULTS.sesPort,
      dynamodbPort: DEFAULTS.dynamodbPort,
      dataDir: DEFAULTS.dataDir,
      dripEveryMs: DEFAULTS.dripEvery,
    });
  });

  it('the table and the benchmark use the same shard count (infra: test/infra/config.test.ts)', () => {
    expect(DEFAULT_DUE_SHARDS).toBe(DEFAULTS.dueShards);
    expect(BENCH_SHARDS).toBe(DEFAULTS.dueShards);
  });

  it('the default literals appear in no other source file', () => {
    // Same text, another meaning: the preview's sample links, the app's cost-allocation tag, the events' source.
    const elsewhere = new Set(['functions/authoring/preview-cli.ts', 'infra/course-app.ts', 'functions/adapters/eventbridge-events.ts']);
    const files = ['functions', 'infra', 'bench'].flatMap((dir) =>
      readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts'))
        .map((f) => join(dir, f)),
    );
    const literals = [/'email-course'/, /\b3000\b/, /\b8005\b/, /\b8000\b/, /'\.local'/];
    const found = files
      .filter((f) => f !== join('functions', 'config', 'settings.ts') && !elsewhere.has(f))
      .flatMap((f) => {
        const text = readFileSync(f, 'utf8');
        return literals.filter((l) => l.test(text)).map((l) => `${f}: ${l.source}`);
      });
    expect(found).toEqual([]);
  });
});
