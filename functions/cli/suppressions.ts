// `course migrate-suppressions`: suppression is kept under an address's mailbox as well as the
// address as typed (table.ts suppressionKeys); this re-keys what was stored before, once.
import type { Writable } from 'node:stream';
import type { OperatorStore, SuppressionMigration } from './operator-store.js';

/**
 * Writes the mailbox-keyed SUPPRESS item of every bounced or complained subscriber, and says what an
 * erased address (only its hash left) needs. Idempotent: a second run writes the same items again.
 */
export async function runMigrateSuppressions(deps: { store: OperatorStore; out: Writable; now: Date }): Promise<SuppressionMigration> {
  const result = await deps.store.migrateSuppressions(deps.now.toISOString());
  deps.out.write(
    [
      `Suppression re-keyed under mailboxes: ${result.stopped} bounced or complained subscriber${result.stopped === 1 ? '' : 's'} read, ` +
        `${result.mailboxKeysWritten} of them with an alias spelling (+tag, dots at Gmail, googlemail.com) now suppressed under their mailbox too.`,
      `${result.suppressionItems} suppression item${result.suppressionItems === 1 ? '' : 's'} in the table. An erased address kept only its one-way hash, ` +
        'which cannot be re-keyed: if you still have such an address on file, run `course erase <address>` again (it writes both keys).',
      '',
    ].join('\n'),
  );
  return result;
}
