// The fidelity check's alignment: a longest common subsequence (checked against the textbook table
// on random lists), and on an article of 40,000 short paragraphs it completes without a table of
// both lengths (the time and memory figures are the bench's: bench/check-fidelity.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commonSubsequence } from '../../../functions/authoring/align.js';

/** The length of a longest common subsequence by the O(n·m) table: the reference, small lists only. */
function lcsLength(a: readonly string[], b: readonly string[]): number {
  const table = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      table[i]![j] = a[i] === b[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
  return table[0]![0]!;
}

/** The pairs are a common subsequence: ascending on both sides, each pair equal text. */
function expectCommonSubsequence(a: readonly string[], b: readonly string[], pairs: [number, number][]): void {
  pairs.forEach(([i, j], k) => {
    expect(a[i]).toBe(b[j]);
    if (k > 0) {
      expect(i).toBeGreaterThan(pairs[k - 1]![0]);
      expect(j).toBeGreaterThan(pairs[k - 1]![1]);
    }
  });
}

describe('commonSubsequence', () => {
  it('keeps as many pairs as the textbook table, on random lists with repeats', () => {
    const list = fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 40 });
    fc.assert(
      fc.property(list, list, (a, b) => {
        const pairs = commonSubsequence(a, b);
        expectCommonSubsequence(a, b, pairs);
        expect(pairs).toHaveLength(lcsLength(a, b));
      }),
      { numRuns: 500 },
    );
  });

  it('handles the edges: empty sides, nothing shared, identical lists, one list inside the other', () => {
    expect(commonSubsequence([], [])).toEqual([]);
    expect(commonSubsequence(['a'], [])).toEqual([]);
    expect(commonSubsequence([], ['a'])).toEqual([]);
    expect(commonSubsequence(['a', 'b'], ['c', 'd'])).toEqual([]);
    expect(commonSubsequence(['a', 'b', 'c'], ['a', 'b', 'c'])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
    expect(commonSubsequence(['x', 'a', 'y', 'b', 'z'], ['a', 'b'])).toEqual([
      [1, 0],
      [3, 1],
    ]);
  });

  it('aligns 40,000 short paragraphs against lessons with some dropped, changed and swapped', () => {
    const source = Array.from({ length: 40_000 }, (_, i) => `Item ${i % 997}: a short paragraph, number ${i}.`);
    const lessons = source.filter((_, i) => i % 1000 !== 7).map((p, i) => (i % 5000 === 3 ? `${p} (changed)` : p));
    [lessons[100], lessons[101]] = [lessons[101]!, lessons[100]!];
    const pairs = commonSubsequence(source, lessons);
    expectCommonSubsequence(source, lessons, pairs);
    // 40 dropped, 8 changed, one of two swapped paragraphs: everything else pairs.
    expect(pairs).toHaveLength(40_000 - 40 - 8 - 1);
  });
});
