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

/** One message of publishNumbered, checked before anything is published (all or none). */
export function checkNumbered(m: { channel: unknown; counterKey: unknown; message: unknown; latestKey?: unknown; source?: unknown }): void {
  checkKey('publishNumbered', m.channel);
  checkKey('publishNumbered', m.counterKey);
  checkValue('publishNumbered', m.message);
  if (m.latestKey !== undefined) checkKey('publishNumbered', m.latestKey);
  if (m.source !== undefined) checkSource(m.source as { marksKey: unknown; stream: unknown; offset: unknown; index: unknown });
}

function checkSource(source: { marksKey: unknown; stream: unknown; offset: unknown; index: unknown }): void {
  checkKey('publishNumbered source', source.marksKey);
  if (typeof source.stream !== 'string' || source.stream === '') throw new TypeError('cache publishNumbered: source.stream must be a non-empty string');
  if (typeof source.offset !== 'string' || !/^\d{1,15}$/.test(source.offset)) {
    throw new TypeError(`cache publishNumbered: source.offset must be a non-negative integer string below 10^15, got ${String(source.offset)}`);
  }
  if (typeof source.index !== 'number' || !Number.isSafeInteger(source.index) || source.index < 0) {
    throw new TypeError(`cache publishNumbered: source.index must be a non-negative integer, got ${String(source.index)}`);
  }
}

/** Is `(offset, index)` past the mark `"<offset>:<index>"` (or is there no mark)? */
export function isPastMark(mark: string | undefined, offset: string, index: number): boolean {
  if (mark === undefined) return true;
  const [o = '0', i = '0'] = mark.split(':');
  const held = Number(o);
  const at = Number(offset);
  return at > held || (at === held && index > Number(i));
}
