/**
 * Exact comparison of recomputed rows with stored ones: every field equal by Object.is (NaN equals NaN,
 * 0 and −0 differ), arrays and nested messages element by element. Returns the first difference as a
 * path, or undefined when equal.
 */
export function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}.length: ${a.length} vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = firstDifference(a[k], b[k], path ? `${path}.${k}` : k);
      if (d) return d;
    }
    return undefined;
  }
  return `${path}: ${String(a)} vs ${String(b)}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface RowDiff {
  compared: number;
  /** Rows present on one side only. */
  missing: number;
  extra: number;
  differing: number;
  firstDifferences: string[];
}

/** Compares two row lists keyed by `key`; lists up to `show` differences. */
export function diffRows<T>(expected: readonly T[], actual: readonly T[], key: (row: T) => string, show = 5): RowDiff {
  const byKey = new Map(actual.map((r) => [key(r), r] as const));
  const out: RowDiff = { compared: 0, missing: 0, extra: 0, differing: 0, firstDifferences: [] };
  for (const e of expected) {
    const k = key(e);
    const a = byKey.get(k);
    if (a === undefined) {
      out.missing++;
      if (out.firstDifferences.length < show) out.firstDifferences.push(`${k}: not recomputed`);
      continue;
    }
    byKey.delete(k);
    out.compared++;
    const d = firstDifference(e, a);
    if (d) {
      out.differing++;
      if (out.firstDifferences.length < show) out.firstDifferences.push(`${k}: ${d}`);
    }
  }
  out.extra = byKey.size;
  for (const k of [...byKey.keys()].slice(0, Math.max(0, show - out.firstDifferences.length))) out.firstDifferences.push(`${k}: not stored`);
  return out;
}
