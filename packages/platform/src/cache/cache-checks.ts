/** Argument checks shared by the cache adapters: a clear error instead of odd behaviour later. */
export function checkKey(what: string, key: unknown): void {
  if (typeof key !== 'string' || key === '')
    throw new TypeError(`cache ${what}: key must be a non-empty string`);
}

export function checkValue(what: string, value: unknown): void {
  if (typeof value !== 'string') throw new TypeError(`cache ${what}: value must be a string`);
}

export function checkTtl(ttlMs: unknown): void {
  if (ttlMs === undefined) return;
  if (typeof ttlMs !== 'number' || !Number.isInteger(ttlMs) || ttlMs <= 0) {
    throw new TypeError(`cache set: ttlMs must be a positive integer, got ${String(ttlMs)}`);
  }
}
