// The alignment `course check` compares a source against its lessons with: a longest common
// subsequence of two block lists, in memory linear in their length. Myers' O(ND) difference
// algorithm with the linear-space "middle snake" refinement (E. W. Myers, "An O(ND) Difference
// Algorithm and Its Variations", Algorithmica 1986, section 4b), in the form diff-match-patch's
// `diff_bisect` gives it: time grows with the length times the number of differences, so a faithful
// course (few or none) aligns in about linear time, and memory never holds a table of both lengths.

/** The half-open ranges [aLo, aHi) × [bLo, bHi) still to align. */
interface Span {
  aLo: number;
  aHi: number;
  bLo: number;
  bHi: number;
}

/**
 * Longest common subsequence of `a` and `b` (blocks compared exactly): the pairs (i in a, j in b) it
 * keeps, ascending in both. Memory O(a.length + b.length); blocks that occur on one side only are set
 * aside first (they can never pair), as GNU diff does, so a lesson full of new text costs no search.
 */
export function commonSubsequence(a: readonly string[], b: readonly string[]): [number, number][] {
  // Blocks as small integers: equal text, equal number; compared as numbers from here on.
  const ids = new Map<string, number>();
  const idOf = (s: string) => {
    let id = ids.get(s);
    if (id === undefined) ids.set(s, (id = ids.size));
    return id;
  };
  const aIds = a.map(idOf);
  const inA = new Set(aIds);
  const bIds = b.map(idOf);
  const inB = new Set(bIds);
  // Only blocks both sides have; `aAt`/`bAt` take a kept position back to the caller's index.
  const aAt = aIds.flatMap((id, i) => (inB.has(id) ? [i] : []));
  const bAt = bIds.flatMap((id, j) => (inA.has(id) ? [j] : []));
  const x = Int32Array.from(aAt, (i) => aIds[i]!);
  const y = Int32Array.from(bAt, (j) => bIds[j]!);
  const pairs: [number, number][] = [];
  alignSpans(x, y, (i, j) => pairs.push([aAt[i]!, bAt[j]!]));
  return pairs;
}

/**
 * Align `x` and `y`, calling `keep(i, j)` for each pair in order. Iterative over an explicit stack
 * of spans (the middle snake splits a span in two about halfway along its differences), so depth
 * never reaches the call stack whatever the input.
 */
function alignSpans(x: Int32Array, y: Int32Array, keep: (i: number, j: number) => void): void {
  // Work items: a span to split, or a run of matches to emit in order.
  type Item = { span: Span } | { run: { i: number; j: number; n: number } };
  const stack: Item[] = [{ span: { aLo: 0, aHi: x.length, bLo: 0, bHi: y.length } }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if ('run' in item) {
      for (let k = 0; k < item.run.n; k++) keep(item.run.i + k, item.run.j + k);
      continue;
    }
    let { aLo, aHi, bLo, bHi } = item.span;
    const head = { i: aLo, j: bLo, n: 0 };
    while (aLo < aHi && bLo < bHi && x[aLo] === y[bLo]) {
      aLo++;
      bLo++;
      head.n++;
    }
    let tailN = 0;
    while (aLo < aHi && bLo < bHi && x[aHi - 1] === y[bHi - 1]) {
      aHi--;
      bHi--;
      tailN++;
    }
    const tail = { i: aHi, j: bHi, n: tailN };
    // Pushed in reverse: the head's matches come out first, the tail's last.
    stack.push({ run: tail });
    if (aLo < aHi && bLo < bHi) {
      const split = middleSnake(x, y, { aLo, aHi, bLo, bHi });
      if (split !== undefined) {
        stack.push({ span: { aLo: split.i, aHi, bLo: split.j, bHi } });
        stack.push({ span: { aLo, aHi: split.i, bLo, bHi: split.j } });
      }
    }
    stack.push({ run: head });
  }
}

/**
 * Where an edit path with the fewest differences through `s` crosses its middle (Myers' middle
 * snake, searched from both ends at once): a point (i, j) to split the span at, or undefined when
 * the span's two sides share nothing. Two arrays of about `aHi − aLo + bHi − bLo` numbers.
 */
function middleSnake(x: Int32Array, y: Int32Array, s: Span): { i: number; j: number } | undefined {
  const n = s.aHi - s.aLo;
  const m = s.bHi - s.bLo;
  const maxD = Math.ceil((n + m) / 2);
  const offset = maxD;
  const forward = new Int32Array(2 * maxD + 2).fill(-1);
  const backward = new Int32Array(2 * maxD + 2).fill(-1);
  forward[offset + 1] = 0;
  backward[offset + 1] = 0;
  const delta = n - m;
  // With an odd delta the paths meet on a forward step, with an even one on a backward step.
  const front = delta % 2 !== 0;
  const trim = { k1start: 0, k1end: 0, k2start: 0, k2end: 0 };
  const same = (i: number, j: number) => x[s.aLo + i] === y[s.bLo + j];
  const sameFromEnd = (i: number, j: number) => x[s.aHi - i - 1] === y[s.bHi - j - 1];
  for (let d = 0; d < maxD; d++) {
    for (let k1 = -d + trim.k1start; k1 <= d - trim.k1end; k1 += 2) {
      const at = offset + k1;
      let i = k1 === -d || (k1 !== d && forward[at - 1]! < forward[at + 1]!) ? forward[at + 1]! : forward[at - 1]! + 1;
      let j = i - k1;
      while (i < n && j < m && same(i, j)) {
        i++;
        j++;
      }
      forward[at] = i;
      if (i > n) trim.k1end += 2;
      else if (j > m) trim.k1start += 2;
      else if (front) {
        const other = offset + delta - k1;
        if (other >= 0 && other < forward.length && backward[other] !== -1 && i >= n - backward[other]!)
          return { i: s.aLo + i, j: s.bLo + j };
      }
    }
    for (let k2 = -d + trim.k2start; k2 <= d - trim.k2end; k2 += 2) {
      const at = offset + k2;
      let i = k2 === -d || (k2 !== d && backward[at - 1]! < backward[at + 1]!) ? backward[at + 1]! : backward[at - 1]! + 1;
      let j = i - k2;
      while (i < n && j < m && sameFromEnd(i, j)) {
        i++;
        j++;
      }
      backward[at] = i;
      if (i > n) trim.k2end += 2;
      else if (j > m) trim.k2start += 2;
      else if (!front) {
        const other = offset + delta - k2;
        if (other >= 0 && other < forward.length && forward[other] !== -1) {
          const fi = forward[other]!;
          const fj = offset + fi - other;
          if (fi >= n - i) return { i: s.aLo + fi, j: s.bLo + fj };
        }
      }
    }
  }
  return undefined;
}
