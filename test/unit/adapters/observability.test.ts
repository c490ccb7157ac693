// The log and metrics ports over Powertools (what the Lambdas write) and as readable lines (what
// `npm start` prints): the same entries, objects in, one JSON object or one readable line out.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLambdaObservability, readableLog } from '../../../functions/adapters/observability.js';

/** Everything written to stdout and stderr while `fn` runs, split into lines. */
function captured(fn: () => void): string[] {
  const lines: string[] = [];
  const grab = (chunk: unknown) => {
    lines.push(
      ...String(chunk)
        .split('\n')
        .filter((l) => l.trim() !== ''),
    );
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(grab);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(grab);
  try {
    fn();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return lines;
}

afterEach(() => vi.restoreAllMocks());

describe('the Lambda log port (Powertools Logger)', () => {
  it('writes each entry as one JSON object: level, message, service and the fields as fields, not a string', () => {
    const { log } = createLambdaObservability('drip');
    const lines = captured(() => {
      log({ msg: 'drip.summary', sent: 3, stoppedEarly: false, at: '2026-03-03T08:00:00.000Z' });
      log({ msg: 'drip.send_rejected', level: 'warn', subscriber: 's1', error: 'Email address is not verified.' });
    });
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'drip.summary',
        service: 'drip',
        sent: 3,
        stoppedEarly: false,
        at: '2026-03-03T08:00:00.000Z',
      }),
      expect.objectContaining({ level: 'WARN', message: 'drip.send_rejected', subscriber: 's1', error: 'Email address is not verified.' }),
    ]);
  });
});

describe('the Lambda metrics port (Powertools Metrics, EMF)', () => {
  it('sums each name over the invocation and writes one EMF block with the namespace, the service dimension and the units', () => {
    const observability = createLambdaObservability('drip');
    const { metrics } = observability;
    const publishMetrics = () => observability.publishMetrics();
    metrics.add('held', 1);
    metrics.add('held', 1);
    metrics.add('sent', 0);
    metrics.add('duration', 1234);
    const [line, ...others] = captured(() => publishMetrics());
    expect(others).toEqual([]);
    const block = JSON.parse(line!) as {
      _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
      [k: string]: unknown;
    };
    expect(block).toMatchObject({ service: 'drip', held: 2, sent: 0, duration: 1234 });
    expect(block._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'EmailCourse',
        Dimensions: [['service']],
        Metrics: expect.arrayContaining([
          { Name: 'held', Unit: 'Count' },
          { Name: 'sent', Unit: 'Count' },
          { Name: 'duration', Unit: 'Milliseconds' },
        ]) as unknown,
      },
    ]);
    // Published and cleared: the next invocation starts from nothing, and an empty one writes nothing.
    expect(captured(() => publishMetrics())).toEqual([]);
  });
});

describe('the local log port', () => {
  it('prints one readable line per entry, the level in front unless info', () => {
    const lines: string[] = [];
    const log = readableLog((l) => lines.push(l));
    log({ msg: 'drip.summary', sent: 3, stopReason: undefined, at: '2026-03-03T08:00:00.000Z' });
    log({ msg: 'request failed', level: 'error', error: 'table not found', path: '/subscribe' });
    expect(lines).toEqual([
      'drip.summary sent=3 at=2026-03-03T08:00:00.000Z',
      "ERROR request failed error='table not found' path=/subscribe",
    ]);
  });
});
