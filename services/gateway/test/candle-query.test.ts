import { GetCandlesRequest } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import { resolveCandleQuery } from '../src/candle-query.js';
import { InstrumentCatalog } from '../src/instruments.js';
import { DEFAULT_LIMITS } from '../src/limits.js';
import { BTC, MIN, T0 } from './support/fixtures.js';

const catalog = new InstrumentCatalog([BTC]);
const now = T0 + 10 * MIN + 30_000; // mid-bucket
const resolve = (patch: Partial<GetCandlesRequest>) =>
  resolveCandleQuery(GetCandlesRequest.fromPartial({ ...BTC, interval: '1m', ...patch }), { catalog, limits: DEFAULT_LIMITS, now });

describe('resolveCandleQuery', () => {
  it('defaults: to = now, limit 500, source trades, from = the 500 buckets ending with the one holding now', () => {
    const r = resolve({});
    expect(r).toEqual({
      ok: true,
      value: { ...BTC, interval: '1m', toTs: now, limit: 500, source: 'trades', fromTs: T0 + 10 * MIN - 499 * MIN },
    });
  });

  it('from_ts 0 with an aligned to_ts excludes the bucket starting at to_ts', () => {
    const r = resolve({ toTs: T0 + 10 * MIN, limit: 3, interval: '5m' });
    expect(r.ok && r.value.fromTs).toBe(T0 + 10 * MIN - 3 * 5 * MIN);
  });

  it('keeps explicit values', () => {
    const r = resolve({ fromTs: T0, toTs: T0 + MIN, limit: 10, source: 'exchange' });
    expect(r).toMatchObject({ ok: true, value: { fromTs: T0, toTs: T0 + MIN, limit: 10, source: 'exchange' } });
  });

  it.each([
    ['empty exchange', { exchange: '' }, /exchange is required/],
    ['malformed symbol', { symbol: 'btc/usdt' }, /symbol .* is malformed/],
    ['unknown market', { market: 'futures' }, /market "futures" is unknown/],
    ['unknown interval', { interval: '2m' }, /interval "2m" is unknown/],
    ['limit over max', { limit: 5001 }, /exceeds the maximum of 5000/],
    ['negative limit', { limit: -1 }, /limit must be >= 0/],
    ['bad source', { source: 'kline' }, /source "kline" is unknown/],
    ['from after to', { fromTs: T0 + MIN, toTs: T0 }, /must be before to_ts/],
    ['negative from', { fromTs: -5 }, /from_ts must be a non-negative/],
    ['microseconds', { toTs: T0 * 1000 }, /beyond year 9999/],
    ['range too wide', { fromTs: 1, toTs: T0 }, /exceeds the maximum/],
  ])('%s → invalid', (_name, patch, message) => {
    const r = resolve(patch);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem.kind).toBe('invalid');
      expect(r.problem.message).toMatch(message);
    }
  });

  it('a well-formed instrument that is not collected is not_found, but malformed fields win', () => {
    expect(resolve({ symbol: 'DOGEUSDT' })).toMatchObject({ ok: false, problem: { kind: 'not_found' } });
    expect(resolve({ symbol: 'DOGEUSDT', interval: '7m' })).toMatchObject({ ok: false, problem: { kind: 'invalid' } });
    expect(resolve({ symbol: 'DOGEUSDT', limit: 9999 })).toMatchObject({ ok: false, problem: { kind: 'invalid' } });
  });
});
