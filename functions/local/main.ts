// `npm start`: the local stack with settings from the environment (see docs/getting-started.md). Prints
// the signup and inbox URLs; Ctrl-C or SIGTERM stops it cleanly; a taken port or bad setting exits 1.
import { join } from 'node:path';
import { ENV } from '../config/settings.js';
import { parseLocalSettings, type LocalSettings } from './settings.js';
import { startLocalStack, type LocalStack } from './stack.js';
import { simulatedSesFeedback } from './simulated-feedback.js';

/** What the stack runs on, one line each: the database, SES, the drip ticker. */
function banner(settings: LocalSettings, stack: LocalStack): string[] {
  const data = join(settings.dataDir, 'dynamodb');
  const every = settings.dripEveryMs / 1000;
  return [
    `DynamoDB: ${settings.dynamodbEndpoint ?? `DynamoDB Local at ${stack.dynamodbUrl}, data in ${data}`} (table ${stack.tableName} ${stack.table})`,
    `SES: ${settings.sesEndpoint ?? `emulator at ${stack.inboxUrl}`}`,
    `Drip: ${stack.runDripNow === undefined ? 'not wired' : every > 0 ? `every ${every}s` : `ticker off (${ENV.dripEvery}=0); POST /__local/drip runs one tick`}`,
  ];
}

async function main(): Promise<void> {
  let stack: LocalStack;
  let settings: LocalSettings;
  try {
    settings = parseLocalSettings(process.env);
    // No SNS locally: SES events (delivery, and bounces/complaints for the mailbox-simulator
    // addresses) are synthesised and fed through the same ses-events handler.
    stack = await startLocalStack({ settings, decorateMailer: simulatedSesFeedback() });
  } catch (e: unknown) {
    console.error(`Could not start the local stack: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
  for (const line of banner(settings, stack)) console.log(line);
  console.log('');
  console.log(`  Signup page:  ${stack.url}/`);
  console.log(`  Email inbox:  ${stack.inboxUrl}/`);
  console.log('');
  console.log('Press Ctrl-C to stop.');

  let stopping = false;
  const shutdown = (signal: string) => {
    // A second Ctrl-C means "now": whatever is still in flight is dropped.
    if (stopping) process.exit(130);
    stopping = true;
    console.log(`\n${signal}: finishing requests in flight and the drip tick, then closing the database (Ctrl-C again to force)…`);
    stack.stop().then(
      () => {
        console.log('Stopped. Data kept.');
        process.exit(0);
      },
      (e: unknown) => {
        console.error(`Stop failed: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

await main();
