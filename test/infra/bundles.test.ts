// The Lambda bundles as `cdk synth` builds them (real esbuild, once for this file): each loads in
// plain Node, stays under 1 MiB, ships the compiled course where it is read, and holds no mjml;
// and, run the way Lambda runs them, they take a reader from signup to a bounced first lesson.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { CfnElement } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../functions/adapters/table.js';
import { closeServer } from '../../functions/local/services.js';
import { repoRoot, type CourseFunction } from '../../infra/constructs/course-function.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { synthCourse, type Synthesised } from './synth.js';

const MIB = 1024 * 1024;
const SENDER_DOMAIN = 'example.net';
const FROM_ADDRESS = 'lessons@example.net';
let s: Synthesised;
let bundles: { name: string; dir: string }[];
beforeAll(async () => {
  // A sender other than the manifest's (course@example.com), so the run below shows which one is used.
  s = await synthCourse({ bundle: true, context: { senderDomain: SENDER_DOMAIN, fromAddress: FROM_ADDRESS } });
  const dirOf = (f: CourseFunction) => f.bundleDir ?? '';
  bundles = [
    { name: 'api', dir: dirOf(s.service.api.handler) },
    { name: 'drip', dir: dirOf(s.service.drip.handler) },
    { name: 'ses-events', dir: dirOf(s.service.feedback.handler) },
  ];
}, 180_000);

describe('the Lambda bundles', () => {
  it('are each one ESM file with a source map, under 1 MiB', () => {
    for (const { name, dir } of bundles) {
      const bytes = statSync(join(dir, 'index.mjs')).size;
      expect(bytes, `${name} bundle is ${(bytes / 1024).toFixed(0)} KiB`).toBeLessThan(MIB);
      expect(existsSync(join(dir, 'index.mjs.map')), `${name} source map`).toBe(true);
    }
  });

  it('contain no mjml, neither bundled (source map sources) nor imported', () => {
    for (const { name, dir } of bundles) {
      const { sources } = JSON.parse(readFileSync(join(dir, 'index.mjs.map'), 'utf8')) as { sources: string[] };
      expect(sources.length, name).toBeGreaterThan(0);
      expect(
        sources.filter((src) => /node_modules\/mjml/.test(src)),
        name,
      ).toEqual([]);
      expect(readFileSync(join(dir, 'index.mjs'), 'utf8'), name).not.toMatch(/(?:from|import|require)\s*\(?\s*["']mjml/);
    }
  });

  it('ship the compiled courses next to the api and drip handlers (read from LAMBDA_TASK_ROOT), not ses-events', () => {
    for (const { name, dir } of bundles) {
      const path = join(dir, 'compiled-course.json');
      if (name === 'ses-events') {
        expect(existsSync(path)).toBe(false);
        continue;
      }
      const [compiled] = JSON.parse(readFileSync(path, 'utf8')) as {
        lessons: { html: string; text: string }[];
        confirmation: { html: string };
      }[];
      if (compiled === undefined) throw new Error(`${name}: no course in compiled-course.json`);
      expect(compiled.lessons.length, name).toBeGreaterThan(0);
      expect(
        compiled.lessons.every((l) => l.html.length > 0 && l.text.length > 0),
        name,
      ).toBe(true);
      expect(compiled.confirmation.html, name).toContain('{{confirmUrl}}');
    }
  });

  it('load in plain Node and export a handler, without calling AWS on import', () => {
    for (const { name, dir } of bundles) {
      const child = spawnSync(
        process.execPath,
        [
          '--enable-source-maps',
          '--input-type=module',
          '-e',
          "const m = await import(process.argv[1]); if (typeof m.handler !== 'function') process.exit(3);",
          pathToFileURL(join(dir, 'index.mjs')).href,
        ],
        // Every AWS endpoint is a closed local port: an import that called AWS would fail here.
        {
          env: { PATH: process.env.PATH, LAMBDA_TASK_ROOT: dir, AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' },
          encoding: 'utf8',
        },
      );
      expect(child.status, `${name}: ${child.stderr}`).toBe(0);
    }
  });
});

/** IAM actions an SDK command needs, by the package it is imported from. */
function actionsFor(pkg: string, command: string): string[] {
  const op = command.replace(/Command$/, '');
  if (pkg === '@aws-sdk/lib-dynamodb') {
    const doc: Record<string, string[]> = {
      Get: ['GetItem'],
      Put: ['PutItem'],
      Update: ['UpdateItem'],
      Delete: ['DeleteItem'],
      Query: ['Query'],
      Scan: ['Scan'],
      BatchGet: ['BatchGetItem'],
      BatchWrite: ['BatchWriteItem'],
      TransactGet: ['GetItem'],
      TransactWrite: ['ConditionCheckItem', 'PutItem', 'UpdateItem', 'DeleteItem'],
    };
    return (doc[op] ?? [`<unknown ${command}>`]).map((a) => `dynamodb:${a}`);
  }
  // BatchExecuteStatement is authorised per statement kind; the drip runs UPDATE statements only.
  if (pkg === '@aws-sdk/client-dynamodb' && op === 'BatchExecuteStatement') return ['dynamodb:PartiQLUpdate'];
  const service: Record<string, string> = {
    '@aws-sdk/client-dynamodb': 'dynamodb',
    '@aws-sdk/client-ses': 'ses',
    '@aws-sdk/client-sesv2': 'ses',
    '@aws-sdk/client-secrets-manager': 'secretsmanager',
  };
  return [`${service[pkg] ?? pkg}:${op}`];
}

describe('the roles and the code', () => {
  it('allow every AWS call the bundled code can make (found from the source map and the SDK imports)', () => {
    const functions: [string, CourseFunction][] = [
      ['api', s.service.api.handler],
      ['drip', s.service.drip.handler],
      ['ses-events', s.service.feedback.handler],
    ];
    const policies = Object.values(s.serviceTemplate.findResources('AWS::IAM::Policy')) as {
      Properties: { Roles: unknown; PolicyDocument: { Statement: { Action: string | string[] }[] } };
    }[];
    for (const [name, fn] of functions) {
      const roleId = s.service.getLogicalId(fn.role.node.defaultChild as CfnElement);
      const allowed = new Set(
        policies
          .filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${roleId}"`))
          .flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action]))),
      );
      const { sources } = JSON.parse(readFileSync(join(fn.bundleDir!, 'index.mjs.map'), 'utf8')) as { sources: string[] };
      const ours = sources.filter((src) => !src.includes('node_modules')).map((src) => join(fn.bundleDir!, src));
      expect(ours.length, name).toBeGreaterThan(3);
      const needed = new Set<string>();
      for (const file of ours) {
        const code = readFileSync(file, 'utf8');
        for (const m of code.matchAll(/import\s*\{([^}]*)\}\s*from\s*'(@aws-sdk\/[^']+)'/g)) {
          for (const imported of m[1]!.split(',').map(
            (x) =>
              x
                .trim()
                .replace(/^type\s+/, '')
                .split(/\s+as\s+/)[0]!,
          )) {
            if (imported.endsWith('Command') && new RegExp(`new ${imported}\\(`).test(code))
              for (const a of actionsFor(m[2]!, imported)) needed.add(a);
          }
        }
      }
      expect(needed.size, `${name} makes no AWS call?`).toBeGreaterThan(0);
      expect(
        [...needed].filter((a) => !allowed.has(a)),
        `${name} role is missing`,
      ).toEqual([]);
    }
  });
});

describe('the after-bundling check', () => {
  const check = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'bundle-check-'));
    for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
    return spawnSync(process.execPath, [join(repoRoot, 'infra/bundling/after-bundling.mjs'), dir], { encoding: 'utf8' });
  };

  it('fails a bundle that imports mjml', () => {
    const r = check({ 'index.mjs': 'import m from"mjml";export const handler=()=>m;' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('imports "mjml"');
  });

  it('fails a bundle whose source map shows mjml packages inlined', () => {
    const r = check({
      'index.mjs': 'export const handler=()=>1;',
      'index.mjs.map': JSON.stringify({ version: 3, sources: ['../node_modules/mjml-core/lib/index.js'], mappings: '' }),
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('bundles ../node_modules/mjml-core/lib/index.js');
  });

  it('passes a bundle that only mentions .mjml files in its text', () => {
    const r = check({
      'index.mjs': 'export const handler=()=>"must be a relative .mjml path";',
      'index.mjs.map': JSON.stringify({ version: 3, sources: ['../functions/email/precompiled.ts'], mappings: '' }),
    });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  });
});

// --- Run as Lambda runs them ---------------------------------------------------------------------
// Each invocation is a fresh `node` importing the bundle from its asset directory (a cold start),
// with the environment the template gives the function. DynamoDB is DynamoDB Local and SES the emulator
// (test/support/stack.ts); Secrets Manager and SES GetSendQuota, which have no emulator, are
// answered by a small fake of those two AWS calls (the only AWS mocked here). Every other AWS
// endpoint points at a closed port.

const TOKEN_SECRET = 'bundle-smoke-token-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF';
const PUBLIC_URL = 'https://course.example.com';

/** Fake Secrets Manager GetSecretValue and SES GetSendQuota; everything else SES goes to the emulator. */
async function startFakeAws(sesEmulatorUrl: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.headers['x-amz-target'] === 'secretsmanager.GetSecretValue') {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(
          JSON.stringify({
            ARN: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:token-key',
            Name: 'token-key',
            SecretString: TOKEN_SECRET,
            VersionId: 'v1',
          }),
        );
        return;
      }
      if (body.toString('utf8').includes('Action=GetSendQuota')) {
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(
          '<GetSendQuotaResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><GetSendQuotaResult><SentLast24Hours>0</SentLast24Hours>' +
            '<Max24HourSend>200</Max24HourSend><MaxSendRate>1</MaxSendRate></GetSendQuotaResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></GetSendQuotaResponse>',
        );
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k, v]) => k !== 'host' && k !== 'content-length' && typeof v === 'string'),
      ) as Record<string, string>;
      fetch(`${sesEmulatorUrl}${req.url ?? '/'}`, { method: req.method ?? 'POST', headers, ...(body.length > 0 ? { body } : {}) })
        .then(async (r) => {
          res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/xml' });
          res.end(Buffer.from(await r.arrayBuffer()));
        })
        .catch((e: unknown) => {
          res.writeHead(502);
          res.end(String(e));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const INVOKE = `const [url, eventJson, remainingMs] = process.argv.slice(1);
const { handler } = await import(url);
const deadline = Date.now() + Number(remainingMs);
const context = { getRemainingTimeInMillis: () => deadline - Date.now(), functionName: 'smoke', awsRequestId: 'smoke-1' };
const result = await handler(JSON.parse(eventJson), context);
process.stdout.write('\\n@@result ' + JSON.stringify(result ?? null));`;

const run = promisify(execFile);

describe('the bundles, run the way Lambda runs them', () => {
  let stack: TestStack;
  let fakeAws: { url: string; server: Server };
  let table: string;

  beforeAll(async () => {
    stack = await startTestStack();
    fakeAws = await startFakeAws(stack.sesUrl);
    table = await stack.newTable();
  });
  afterAll(async () => {
    await closeServer(fakeAws.server);
    await stack.stop();
  });

  /** The function's environment from the template, its deploy-time references replaced by local values. */
  function environmentOf(fn: CourseFunction, dir: string): NodeJS.ProcessEnv {
    const local: Record<string, string> = {
      TABLE_NAME: table,
      TOKEN_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:token-key',
      SES_CONFIGURATION_SET: 'course-events',
      PUBLIC_URL,
    };
    const cfn = fn.function.node.defaultChild as lambda.CfnFunction;
    const declared = (s.service.resolve(cfn.environment) as { variables: Record<string, unknown> }).variables;
    const env: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(declared)) {
      const v = typeof value === 'string' ? value : local[name];
      if (v === undefined) throw new Error(`${name} is set from a deploy-time value this test has no local stand-in for`);
      env[name] = v;
    }
    return {
      ...env,
      PATH: process.env.PATH,
      LAMBDA_TASK_ROOT: dir,
      // This machine runs Node 20, which the SDK warns about on stderr; Lambda runs Node 22.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_ENDPOINT_URL_DYNAMODB: stack.dynamoUrl,
      AWS_ENDPOINT_URL_SES: fakeAws.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: fakeAws.url,
    };
  }

  /** What each function wrote to stdout and stderr (what CloudWatch Logs would get), by bundle name. */
  const output: Record<string, string[]> = { api: [], drip: [], 'ses-events': [] };

  async function invoke(fn: CourseFunction, event: unknown, remainingMs = 60_000): Promise<unknown> {
    const dir = fn.bundleDir!;
    const { stdout, stderr } = await run(
      process.execPath,
      ['--input-type=module', '-e', INVOKE, pathToFileURL(join(dir, 'index.mjs')).href, JSON.stringify(event), String(remainingMs)],
      {
        env: environmentOf(fn, dir),
        encoding: 'utf8',
      },
    );
    const marker = stdout.lastIndexOf('@@result ');
    expect(marker, stdout).toBeGreaterThanOrEqual(0);
    const name = bundles.find((b) => b.dir === dir)!.name;
    output[name]!.push(stdout.slice(0, marker), stderr);
    return JSON.parse(stdout.slice(marker + '@@result '.length)) as unknown;
  }

  /** The lines a function logged, each parsed as JSON (a line that is not JSON fails the test). */
  function logLines(name: string, options: { mayBeQuiet?: boolean } = {}): Record<string, unknown>[] {
    const lines = output[name]!.join('\n')
      .split('\n')
      .filter((l) => l.trim() !== '');
    if (!options.mayBeQuiet) expect(lines.length, `${name} logged nothing`).toBeGreaterThan(0);
    return lines.map((line) => {
      let parsed: unknown;
      expect(() => {
        parsed = JSON.parse(line) as unknown;
      }, `${name} wrote a line that is not JSON: ${line}`).not.toThrow();
      expect(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed), `${name}: not one object: ${line}`).toBe(true);
      return parsed as Record<string, unknown>;
    });
  }

  type EmfBlock = {
    _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
    [key: string]: unknown;
  };
  const emfBlocks = (lines: Record<string, unknown>[]) => lines.filter((l): l is EmfBlock => typeof l._aws === 'object' && l._aws !== null);

  function httpEvent(method: 'GET' | 'POST', path: string, options: { query?: string; body?: string; contentType?: string } = {}) {
    const host = 'abc123.execute-api.eu-west-1.amazonaws.com';
    return {
      version: '2.0',
      routeKey: `${method} ${path}`,
      rawPath: path,
      rawQueryString: options.query ?? '',
      ...(options.query ? { queryStringParameters: Object.fromEntries(new URLSearchParams(options.query)) } : {}),
      headers: {
        host,
        'user-agent': 'bundle-smoke',
        accept: 'application/json',
        ...(options.contentType ? { 'content-type': options.contentType } : {}),
      },
      requestContext: {
        accountId: '000000000000',
        apiId: 'abc123',
        domainName: host,
        domainPrefix: 'abc123',
        http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'bundle-smoke' },
        requestId: `req-${method}-${path}`,
        routeKey: `${method} ${path}`,
        stage: '$default',
        time: '26/Nov/2026:12:00:00 +0000',
        timeEpoch: 1795780800000,
      },
      ...(options.body === undefined ? {} : { body: options.body }),
      isBase64Encoded: false,
    };
  }

  type HttpResult = { statusCode: number; body: string; headers?: Record<string, string> };

  it('serve the signup page, confirm a reader, send lesson 1 and record its bounce', async () => {
    const api = s.service.api.handler;
    const page = (await invoke(api, {
      ...httpEvent('GET', '/'),
      headers: { host: 'abc123.execute-api.eu-west-1.amazonaws.com', accept: 'text/html' },
    })) as HttpResult;
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form');

    const subscribed = (await invoke(
      api,
      httpEvent('POST', '/subscribe', {
        contentType: 'application/json',
        body: JSON.stringify({ email: 'reader@example.org', name: 'Ada' }),
      }),
    )) as HttpResult;
    expect(subscribed.statusCode).toBe(200);
    // The confirmation leaves from the signup outbox, which the drip run sweeps first.
    expect(await stack.emails()).toEqual([]);
    expect(await invoke(s.service.drip.handler, { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} })).toMatchObject({
      sent: 0,
    });
    const [confirmation, ...others] = await stack.emails();
    expect(others).toEqual([]);
    expect(confirmation!.destination.to).toEqual(['reader@example.org']);
    const token = new RegExp(`${PUBLIC_URL}/confirm\\?token=([A-Za-z0-9_.-]+)`).exec(confirmation!.body.text ?? '')?.[1];
    expect(token, confirmation!.body.text).toBeDefined();

    const confirmed = (await invoke(api, httpEvent('POST', '/confirm', { query: `token=${token}` }))) as HttpResult;
    expect(confirmed.statusCode).toBe(200);

    const summary = await invoke(s.service.drip.handler, { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });
    expect(summary).toMatchObject({ sent: 1 });
    const lesson = (await stack.emails()).find((e) => e.messageId !== confirmation!.messageId);
    const [compiled] = JSON.parse(readFileSync(join(s.service.drip.handler.bundleDir!, 'compiled-course.json'), 'utf8')) as {
      course: { slug: string };
      lessons: { subject: string }[];
    }[];
    if (compiled === undefined) throw new Error('no course in compiled-course.json');
    expect(lesson).toMatchObject({ destination: { to: ['reader@example.org'] }, subject: compiled.lessons[0]!.subject });
    expect(lesson!.body.text).toContain(`${PUBLIC_URL}/unsubscribe?token=`);

    const lock = await stack.doc.send(new GetCommand({ TableName: table, Key: keys.address(compiled.course.slug, 'reader@example.org') }));
    const id = (lock.Item as { id: string }).id;
    const bounce = {
      eventType: 'Bounce',
      mail: {
        timestamp: new Date().toISOString(),
        source: 'course@example.com',
        messageId: lesson!.messageId,
        destination: ['reader@example.org'],
        tags: { course: [compiled.course.slug], lesson: ['1'], subscriber: [id] },
      },
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: [{ emailAddress: 'reader@example.org' }],
        timestamp: new Date().toISOString(),
        feedbackId: 'fb-1',
      },
    };
    await invoke(s.service.feedback.handler, {
      Records: [{ EventSource: 'aws:sns', Sns: { Type: 'Notification', MessageId: 'sns-1', Message: JSON.stringify(bounce) } }],
    });
    const subscriber = await stack.doc.send(new GetCommand({ TableName: table, Key: keys.subscriber(id) }));
    expect(subscriber.Item).toMatchObject({ status: 'bounced' });
  }, 120_000);

  it('log one JSON object per line, with level and message, and never a JSON string nested in the message', () => {
    // The api logs only trouble (a happy signup writes no line); whatever it writes must be the same shape.
    for (const name of ['api', 'drip', 'ses-events']) {
      for (const line of logLines(name, { mayBeQuiet: name === 'api' }).filter((l) => !('_aws' in l))) {
        expect(line, name).toMatchObject({
          level: expect.stringMatching(/^(DEBUG|INFO|WARN|ERROR)$/),
          message: expect.any(String),
          service: name === 'api' ? 'api' : name,
        });
        expect(String(line.message), name).not.toMatch(/^\s*[{[]/);
      }
    }
    // The first drip run sent the confirmation from the signup outbox; the second, lesson 1.
    expect(logLines('drip').find((l) => l.message === 'signup.outbox')).toMatchObject({ level: 'INFO', found: 1, done: 1, failed: 0 });
    const summary = logLines('drip')
      .filter((l) => l.message === 'drip.summary')
      .at(-1);
    expect(summary).toMatchObject({ level: 'INFO', sent: 1, failed: 0, held: 0, possibleDuplicates: 0, stoppedEarly: false });
    expect(logLines('ses-events').find((l) => l.message === 'ses events')).toMatchObject({ applied: 1, bounces: 1 });
  });

  it('write EMF metric blocks with every name the alarms and the dashboard read, under their namespace and service dimension', () => {
    // The course's own metrics the template's alarms and dashboard name.
    const alarmed = Object.values(
      s.serviceTemplate.findResources('AWS::CloudWatch::Alarm') as Record<
        string,
        { Properties: { Namespace?: string; MetricName?: string; Dimensions?: { Name: string; Value: string }[] } }
      >,
    )
      .map((a) => a.Properties)
      .filter((a) => a.Namespace === 'EmailCourse');
    expect(alarmed.map((a) => a.MetricName).sort()).toEqual(['failed', 'possibleDuplicates']);

    const emitted = new Map<string, { namespace: string; dimensions: string[][]; service: unknown; unit: string }>();
    for (const name of ['drip', 'ses-events']) {
      const blocks = emfBlocks(logLines(name));
      expect(blocks.length, `${name} wrote no EMF block`).toBeGreaterThan(0);
      for (const block of blocks) {
        for (const directive of block._aws.CloudWatchMetrics) {
          for (const m of directive.Metrics) {
            expect(typeof block[m.Name], `${m.Name} has a value in the block`).toBe('number');
            emitted.set(m.Name, { namespace: directive.Namespace, dimensions: directive.Dimensions, service: block.service, unit: m.Unit });
          }
        }
      }
    }
    for (const alarm of alarmed) {
      expect(emitted.get(alarm.MetricName!), alarm.MetricName).toMatchObject({
        namespace: 'EmailCourse',
        dimensions: [['service']],
        service: alarm.Dimensions![0]!.Value,
      });
      expect(alarm.Dimensions).toEqual([{ Name: 'service', Value: 'drip' }]);
    }
    expect([...emitted.keys()].sort()).toEqual(
      [
        'bounces',
        'softBounces',
        'complaints',
        'deliveries',
        'duration',
        'failed',
        'held',
        'possibleDuplicates',
        'sent',
        'skipped',
        'stoppedEarly',
      ].sort(),
    );
    expect(emitted.get('duration')).toMatchObject({ unit: 'Milliseconds', service: 'drip' });
    expect(emitted.get('bounces')).toMatchObject({ unit: 'Count', service: 'ses-events' });
  });

  it('send as the deployed fromAddress (SENDER_ADDRESS): SES and IAM allow only the verified domain', async () => {
    const sent = await stack.emails();
    expect(sent.length).toBeGreaterThanOrEqual(2);
    for (const email of sent) expect(email.from, email.subject).toContain(FROM_ADDRESS);
  });
});
