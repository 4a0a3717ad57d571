/**
 * DBSCAN on a line. `keys` must be sorted ascending (prices, or log prices for a percent radius).
 * A point is core when at least `minSamples` points (itself included) lie within `eps`; cores closer than
 * `eps` chain into one cluster; a non-core point within `eps` of a core joins that core's cluster (the
 * lower one when it is within reach of two), noise otherwise. Two pointers and one pass: O(n) after the caller's sort.
 * Returns clusters as [first, last] index ranges into `keys` (members of a 1-D cluster are contiguous).
 */
export function dbscan1d(keys: ArrayLike<number>, eps: number, minSamples: number): Array<[number, number]> {
  const n = keys.length;
  const core = new Uint8Array(n);
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    while (keys[lo]! < k - eps) lo++;
    if (hi < i) hi = i;
    while (hi + 1 < n && keys[hi + 1]! <= k + eps) hi++;
    if (hi - lo + 1 >= minSamples) core[i] = 1;
  }
  const clusters: Array<[number, number]> = [];
  let i = 0;
  while (i < n) {
    if (!core[i]) {
      i++;
      continue;
    }
    // Chain cores; the points between two chained cores are within eps of one of them.
    let last = i;
    let j = i + 1;
    while (j < n) {
      if (keys[j]! - keys[last]! > eps) break;
      if (core[j]) last = j;
      j++;
    }
    let first = i;
    // Border points before the first core: within eps of it and not nearer to a previous cluster's core.
    const prevEnd = clusters.length ? clusters[clusters.length - 1]![1] : -1;
    while (first - 1 > prevEnd && keys[i]! - keys[first - 1]! <= eps) first--;
    // Border points after the last core, within eps of it (the next cluster's border scan starts after them).
    let end = last;
    while (end + 1 < n && !core[end + 1] && keys[end + 1]! - keys[last]! <= eps) end++;
    clusters.push([first, end]);
    i = end + 1;
  }
  return clusters;
}

/**
 * Splits a sorted run at its largest gaps until every piece spans at most `maxSpan`; pieces with fewer than
 * `minSize` points are dropped. Keeps wide DBSCAN chains from becoming one huge zone.
 */
export function splitWide(values: ArrayLike<number>, first: number, last: number, maxSpan: number, minSize: number, out: Array<[number, number]>): void {
  if (last - first + 1 < minSize) return;
  if (values[last]! - values[first]! <= maxSpan) {
    out.push([first, last]);
    return;
  }
  let cut = first;
  let gap = -1;
  for (let i = first; i < last; i++) {
    const g = values[i + 1]! - values[i]!;
    if (g > gap) {
      gap = g;
      cut = i;
    }
  }
  splitWide(values, first, cut, maxSpan, minSize, out);
  splitWide(values, cut + 1, last, maxSpan, minSize, out);
}
