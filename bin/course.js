#!/usr/bin/env node
// `npx course …`: runs the operator CLI (functions/cli/main.ts) through tsx, with no build step.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../functions/cli/main.ts', import.meta.url));
// tsx resolved from this package, so the CLI works from any working directory.
const tsx = import.meta.resolve('tsx');
const child = spawn(process.execPath, ['--import', tsx, entry, ...process.argv.slice(2)], {
  stdio: 'inherit',
  // The SDK's Node 20 end-of-support notice is noise for an operator tool.
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...process.env },
});
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
