// The Lambda bundles as `cdk synth` builds them (real esbuild, in the cloud assembly the deploy tests
// share, test/deploy/harness/assembly.ts): each loads in plain Node, stays under 1 MiB, ships the
// compiled courses where they are read, and holds no mjml; and every AWS call their code can make is
// granted. How they run, the way Lambda runs them, is test/deploy/journey.test.ts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/constructs/course-function.js';
import { deployAssembly } from '../deploy/harness/assembly.js';
import { functionSpecs } from '../deploy/harness/deployment.js';
import { readAssembly, resolver, type Assembly } from '../deploy/harness/template.js';

const MIB = 1024 * 1024;
let assembly: Assembly;
/** The three functions of the single-drip deployment: name, asset folder, logical id. */
let bundles: { name: string; dir: string; logicalId: string }[];
beforeAll(async () => {
  assembly = readAssembly(await deployAssembly('single'));
  const specs = functionSpecs(assembly, (stack) =>
    resolver(assembly, stack, { apiEndpoint: () => 'https://abc123.execute-api.eu-west-1.amazonaws.com' }),
  );
  const named = {
    'HttpApi/Handler/Function': 'api',
    'DripSchedule/Handler/Function': 'drip',
    'SesFeedback/Handler/Function': 'ses-events',
  };
  bundles = Object.entries(named).map(([path, name]) => {
    const spec = specs.find((f) => f.path === path);
    if (spec === undefined) throw new Error(`no function ${path} in the assembly: ${specs.map((f) => f.path).join(', ')}`);
    return { name, dir: spec.dir, logicalId: spec.logicalId };
  });
}, 300_000);

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

  it('ship the compiled courses next to the drip and api handlers (read from LAMBDA_TASK_ROOT; the api only for web lessons), not ses-events', () => {
    for (const { name, dir } of bundles) {
      const path = join(dir, 'compiled-course.json');
      if (name === 'ses-events') {
        expect(existsSync(path), name).toBe(false);
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

  it("ship each course's manifest alone next to the api handler (its start reads no compiled lessons)", () => {
    const api = bundles.find((b) => b.name === 'api');
    if (api === undefined) throw new Error('no api bundle');
    const manifests = JSON.parse(readFileSync(join(api.dir, 'course-manifests.json'), 'utf8')) as Record<string, unknown>[];
    expect(manifests.length).toBeGreaterThan(0);
    for (const entry of manifests) {
      expect(Object.keys(entry)).toEqual(['course']);
      expect((entry.course as { slug: string }).slug).toMatch(/^[a-z0-9-]+$/);
    }
    for (const { name, dir } of bundles) if (name !== 'api') expect(existsSync(join(dir, 'course-manifests.json')), name).toBe(false);
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
    '@aws-sdk/client-eventbridge': 'events',
  };
  return [`${service[pkg] ?? pkg}:${op}`];
}

/**
 * Calls a bundle contains but its handler never makes, so its role does not allow them (least privilege,
 * test/infra/iam.test.ts), each with why. A store object carries every method of its port, whichever
 * handler uses it; no entry here may be allowed or unneeded (checked below), so the list cannot go stale.
 */
const BUNDLED_NOT_CALLED: Record<string, Record<string, string>> = {
  drip: {
    'dynamodb:ConditionCheckItem':
      'the outbox sweep’s TransactWriteItems (dynamo-signup-outbox.ts) holds a conditional Delete and a Put, never a ConditionCheck item; test/deploy simulates the calls the drip really makes',
  },
  api: {
    'dynamodb:Query':
      'dynamo-signup-outbox.ts pendingSignups, spread into the api’s store by createDynamoStore: only the drip’s outbox sweep reads the outbox',
    'dynamodb:ConditionCheckItem':
      'dynamo-signup-outbox.ts moves a request to its next attempt with TransactWriteItems (a condition on the claim): only the drip’s outbox sweep does',
    'dynamodb:DeleteItem':
      'dynamo-signup-outbox.ts finishSignup (the drip’s sweep) and dynamo-feedback-store.ts releaseEvent (ses-events), bundled with countUnsubscribeAfter',
  },
};

describe('the roles and the code', () => {
  it('allow every AWS call the bundled code can make (found from the source map and the SDK imports), except the listed ones', () => {
    const template = assembly.stacks.EmailCourse!;
    const policies = Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::Policy') as unknown as {
      Properties: { Roles: unknown; PolicyDocument: { Statement: { Action: string | string[] }[] } };
    }[];
    for (const { name, dir, logicalId } of bundles) {
      const roleId = (template.Resources[logicalId]!.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const allowed = new Set(
        policies
          .filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${roleId}"`))
          .flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action]))),
      );
      const { sources } = JSON.parse(readFileSync(join(dir, 'index.mjs.map'), 'utf8')) as { sources: string[] };
      const ours = sources.filter((src) => !src.includes('node_modules')).map((src) => join(dir, src));
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
      const notCalled = BUNDLED_NOT_CALLED[name] ?? {};
      expect(
        [...needed].filter((a) => !allowed.has(a) && !(a in notCalled)),
        `${name} role is missing`,
      ).toEqual([]);
      for (const [action, reason] of Object.entries(notCalled)) {
        expect(needed.has(action), `${name}: ${action} is no longer bundled; drop it from the list`).toBe(true);
        expect(allowed.has(action), `${name}: ${action} is allowed after all; drop it from the list`).toBe(false);
        expect(reason.length).toBeGreaterThan(40);
      }
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
