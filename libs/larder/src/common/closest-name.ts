/**
 * Edit distance between two names: insertions, deletions, substitutions and swaps of two
 * neighbouring characters each count 1 (optimal string alignment). Case is ignored.
 */
function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  // Three rows of the distance table: two back (for swaps), one back, current.
  let before = new Array<number>(y.length + 1).fill(0);
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  let current = new Array<number>(y.length + 1).fill(0);
  for (let i = 1; i <= x.length; i++) {
    current[0] = i;
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let best = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) {
        best = Math.min(best, before[j - 2] + 1);
      }
      current[j] = best;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[y.length];
}

/** How many edits still count as "close": short names allow fewer, so the hint stays plausible. */
function tolerance(name: string): number {
  if (name.length <= 4) return 1;
  return name.length <= 8 ? 2 : 3;
}

/**
 * The candidate closest to `name`, or `undefined` when none is close enough to be the name that
 * was meant: at most 1 edit for names of up to 4 characters, 2 up to 8, 3 beyond (an edit is an
 * inserted, deleted or replaced character, or two swapped neighbours; case is ignored). Ties go
 * to the candidate listed first.
 *
 * @example closestName('tll', ['ttl', 'wait', 'retryDelay']) // 'ttl'
 * @example closestName('nmespace', ['namespace', 'name']) // 'namespace'
 * @example closestName('colour', ['ttl', 'tags']) // undefined
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  let closest: string | undefined;
  let closestDistance = tolerance(name) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance < closestDistance) {
      closest = candidate;
      closestDistance = distance;
    }
  }
  return closest;
}
