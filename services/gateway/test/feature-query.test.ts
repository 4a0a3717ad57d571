import { GetFeaturesRequest } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import { checkFlowInterval, resolveFeatureQuery } from '../src/feature-query.js';
import { InstrumentCatalog } from '../src/instruments.js';
import { DEFAULT_LIMITS } from '../src/limits.js';
import { BTC, MIN, T0 } from './support/fixtures.js';

const catalog = new InstrumentCatalog([BTC]);
const now = T0 + 10 * MIN + 500;
const resolve = (patch: Partial<GetFeaturesRequest>) =>
  resolveFeatureQuery(GetFeaturesRequest.fromPartial({ ...BTC, ...patch }), { catalog, limits: DEFAULT_LIMITS, now });

describe('resolveFeatureQuery', () => {
  it('defaults: to = now, limit 300, the newest rows (tail) looking back at most the maximum range, 1 s flow, no snapshots', () => {
    expect(resolve({})).toEqual({
      ok: true,
      value: {
        series: { ...BTC, fromTs: Math.max(0, now - DEFAULT_LIMITS.maxRangeMs), toTs: now, limit: 300, tail: true },
        flowInterval: '1s',
        withSnapshots: false,
      },
    });
  });

  it('keeps an explicit range (oldest rows first), the flow interval, "none" and with_snapshots', () => {
    const r = resolve({ fromTs: T0, toTs: T0 + MIN, limit: 600, flowInterval: '5m', withSnapshots: true });
    expect(r).toEqual({ ok: true, value: { series: { ...BTC, fromTs: T0, toTs: T0 + MIN, limit: 600, tail: false }, flowInterval: '5m', withSnapshots: true } });
    expect(resolve({ flowInterval: 'none' })).toMatchObject({ ok: true, value: { flowInterval: undefined } });
    expect(resolve({ fromTs: T0 })).toMatchObject({ ok: true, value: { series: { fromTs: T0, toTs: now, tail: false } } });
  });

  it.each([
    ['empty symbol', { symbol: '' }, /symbol is required/],
    ['unknown market', { market: 'futures' }, /market "futures" is unknown/],
    ['unknown flow interval', { flowInterval: '2s' }, /flow interval "2s" is unknown: one of 1s, 1m, 5m, 15m, 1h, 4h, 1d, none/],
    ['limit over max', { limit: 3601 }, /limit 3601 exceeds the maximum of 3600/],
    ['limit over the snapshot max', { limit: 601, withSnapshots: true }, /limit 601 exceeds the maximum of 600/],
    ['negative limit', { limit: -1 }, /limit must be >= 0/],
    ['from after to', { fromTs: T0 + MIN, toTs: T0 }, /must be before to_ts/],
    ['from = to', { fromTs: T0, toTs: T0 }, /must be before to_ts/],
    ['from after now', { fromTs: now + 1 }, /must be before to_ts/],
    ['negative to', { toTs: -1 }, /to_ts must be a non-negative/],
    ['microseconds', { fromTs: T0 * 1000 }, /beyond year 9999/],
    ['range too wide', { fromTs: 1, toTs: T0 }, /exceeds the maximum/],
  ])('%s → invalid', (_name, patch, message) => {
    const r = resolve(patch);
    expect(r).toMatchObject({ ok: false, problem: { kind: 'invalid' } });
    if (!r.ok) expect(r.problem.message).toMatch(message);
  });

  it('a well-formed instrument that is not collected is not_found, but malformed fields win', () => {
    expect(resolve({ symbol: 'DOGEUSDT' })).toMatchObject({ ok: false, problem: { kind: 'not_found' } });
    expect(resolve({ symbol: 'DOGEUSDT', flowInterval: '7m' })).toMatchObject({ ok: false, problem: { kind: 'invalid' } });
    expect(resolve({ symbol: 'DOGEUSDT', limit: 100_000 })).toMatchObject({ ok: false, problem: { kind: 'invalid' } });
  });

  it('checkFlowInterval: "none" only where allowed', () => {
    expect(checkFlowInterval('1s', false)).toBeUndefined();
    expect(checkFlowInterval('1d', false)).toBeUndefined();
    expect(checkFlowInterval('none', true)).toBeUndefined();
    expect(checkFlowInterval('none', false)?.message).toMatch(/"none" is unknown: one of 1s, 1m, 5m, 15m, 1h, 4h, 1d$/);
    expect(checkFlowInterval('', false)?.kind).toBe('invalid');
  });
});
