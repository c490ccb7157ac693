// Subscription events in the local stack (and the CLI on it): one readable log line per event, and
// the event appended as one JSON line to `<DATA_DIR>/events.jsonl`, where a test or a person can read
// every event since the data folder was made. Appends are made one after another, in publish order;
// a file that cannot be written is logged, never thrown (an event never undoes a change).
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { EventPublisher, SubscriptionEvent } from '../core/events.js';
import type { Log } from '../core/ports.js';

/** The file, in the data folder, the local stack keeps its events in. */
export const LOCAL_EVENTS_FILE = 'events.jsonl';

/** Where `dataDir`'s events are kept. */
export const localEventsPath = (dataDir: string): string => join(dataDir, LOCAL_EVENTS_FILE);

export interface LocalEventPublisher extends EventPublisher {
  /** The file events are appended to. */
  readonly file: string;
  /** Resolves once every event published so far is in the file (tests, shutdown). */
  settled(): Promise<void>;
}

/** One log line's fields for an event: its type, course, subscriber and detail (the address only when the event carries it). */
function logFields(e: SubscriptionEvent): Record<string, unknown> {
  return {
    type: e.type,
    course: e.course,
    subscriber: e.subscriberId,
    ...(e.detail ?? {}),
    ...(e.email === undefined ? {} : { email: e.email }),
  };
}

/** The local publisher: `log` hears each event (msg `event`), `file` gets it as a JSON line. */
export function localEventPublisher(options: { file: string; log: Log }): LocalEventPublisher {
  const { file, log } = options;
  let chain: Promise<void> = Promise.resolve();
  let folderReady: Promise<unknown> | undefined;
  return {
    file,
    publish(events) {
      for (const e of events) log({ msg: 'event', ...logFields(e) });
      const lines = events.map((e) => `${JSON.stringify(e)}\n`).join('');
      chain = chain.then(async () => {
        try {
          folderReady ??= mkdir(dirname(file), { recursive: true });
          await folderReady;
          await appendFile(file, lines, 'utf8');
        } catch (e: unknown) {
          folderReady = undefined;
          log({ msg: 'events.not_written', level: 'error', file, count: events.length, error: e instanceof Error ? e.message : String(e) });
        }
      });
      return chain;
    },
    settled: () => chain,
  };
}
