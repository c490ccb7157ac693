// `course show <email>` and `course erase <email>`: everything held about one person, and its
// removal (a data-protection request in one command), keeping only the address's one-way hash.
import type { Writable } from 'node:stream';
import type { OperatorStore, PersonRecord } from './operator-store.js';

export async function runShow(deps: { store: OperatorStore; out: Writable; course: string; email: string }): Promise<PersonRecord> {
  const record = await deps.store.person(deps.course, deps.email);
  const { out } = deps;
  const held = (record.addressLock ? 1 : 0) + record.subscriberItems.length;
  out.write(
    `${record.email} in ${record.course}: ${held === 0 ? 'nothing held' : `${held} item${held === 1 ? '' : 's'} held`}${record.suppression ? ', suppressed' : ''}\n`,
  );
  const section = (title: string, items: readonly Record<string, unknown>[]) => {
    if (items.length === 0) return;
    out.write(`\n${title}\n`);
    for (const item of items) out.write(`${JSON.stringify(item, null, 2)}\n`);
  };
  section('Address lock', record.addressLock ? [record.addressLock] : []);
  section(
    'Subscriber',
    record.subscriberItems.filter((i) => i.sk === 'PROFILE'),
  );
  section(
    'Send records',
    record.subscriberItems.filter((i) => i.sk !== 'PROFILE'),
  );
  section('Suppression (one-way hash of the address; never mailed again)', record.suppression ? [record.suppression] : []);
  return record;
}

export async function runErase(deps: { store: OperatorStore; out: Writable; course: string; email: string; now: Date }): Promise<number> {
  const { deleted, suppressionKeys } = await deps.store.erase(deps.course, deps.email, deps.now.toISOString());
  const sends = deleted.filter((k) => k.sk.startsWith('SEND#')).length;
  const profile = deleted.some((k) => k.sk === 'PROFILE');
  const lock = deleted.some((k) => k.sk === 'ADDR');
  deps.out.write(
    `Erased ${deps.email} from ${deps.course}: ${deleted.length} item${deleted.length === 1 ? '' : 's'} deleted ` +
      `(subscriber: ${profile ? 'yes' : 'none'}, address lock: ${lock ? 'yes' : 'none'}, send records: ${sends}).\n` +
      `Kept only ${suppressionKeys.map((k) => k.pk).join(' and ')} (the address's one-way hash${suppressionKeys.length > 1 ? ", and its mailbox's" : ''}), so the address is never mailed again.\n`,
  );
  return deleted.length;
}
