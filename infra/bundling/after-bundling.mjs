// Runs after esbuild bundles a Lambda (NodejsFunction commandHooks.afterBundling): ships the
// compiled course next to the handler, and fails the synth if any part of mjml got into the bundle.
// With --manifests-only (the api) it also writes each course's manifest alone, as
// course-manifests.json: the api starts from those (pages and signups need no compiled lessons) and
// reads compiled-course.json only when a learner opens a lesson's web version.
// Plain .mjs so the hook needs only `node`, whichever way the CDK was launched.
//
//   node infra/bundling/after-bundling.mjs <outputDir> [--course <compiled-course.json> [--manifests-only]]
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [outputDir, flag, coursePath, only] = process.argv.slice(2);
if (!outputDir) fail('usage: after-bundling.mjs <outputDir> [--course <compiled-course.json> [--manifests-only]]');

if (flag === '--course') {
  if (!coursePath || !existsSync(coursePath)) fail(`compiled course not found at ${coursePath}`);
  if (only === '--manifests-only') {
    // The api reads ${LAMBDA_TASK_ROOT}/course-manifests.json at start: [{ course: <manifest> }, …], in order.
    const manifests = JSON.parse(readFileSync(coursePath, 'utf8')).map(({ course }) => ({ course }));
    writeFileSync(join(outputDir, 'course-manifests.json'), JSON.stringify(manifests));
  }
  // The drip handlers read ${LAMBDA_TASK_ROOT}/compiled-course.json at start; the api for a lesson's web version.
  copyFileSync(coursePath, join(outputDir, 'compiled-course.json'));
}

// mjml (and its dozens of mjml-* packages, html-minifier, juice…) compiles templates at build
// time only; in a Lambda it would add megabytes and seconds of cold start. Two ways it could get
// in: bundled (its files show in the source map's sources) or left external (an import or
// require of "mjml" that would then fail at runtime). Either fails here, at synth.
const offenders = [];
for (const file of readdirSync(outputDir)) {
  const path = join(outputDir, file);
  if (file.endsWith('.map')) {
    const { sources = [] } = JSON.parse(readFileSync(path, 'utf8'));
    for (const s of sources) if (/node_modules\/mjml[^/]*\//.test(s)) offenders.push(`${file}: bundles ${s}`);
  } else if (/\.(m?js|cjs)$/.test(file)) {
    const code = readFileSync(path, 'utf8');
    const m = code.match(/(?:from|import|require)\s*\(?\s*["'](mjml(?:-[a-z-]+)?)(?:\/[^"']*)?["']/);
    if (m) offenders.push(`${file}: imports "${m[1]}"`);
  }
}
if (offenders.length > 0) {
  fail(`mjml must not be in a Lambda bundle (import the precompiled course instead):\n  ${offenders.slice(0, 10).join('\n  ')}`);
}

function fail(message) {
  console.error(`after-bundling: ${message}`);
  process.exit(1);
}
