import { describe, expect, it } from 'vitest';
import { QualityKind, Side } from '@pricelevel/contracts';
import { candleCodec, qualityEventCodec, tradeCodec } from '../src/store/row-codecs.js';
import { candle, trade } from './store.contract.js';

describe('row codecs', () => {
  it('keep columns and select lists in step', () => {
    for (const c of [tradeCodec, candleCodec, qualityEventCodec]) expect(c.select).toHaveLength(c.columns.length);
  });

  it('decode what they encode, and accept 64-bit integers that come back quoted', () => {
    const t = trade('BTCUSDT', 3, { tradeId: '18446744073709551615' });
    expect(tradeCodec.decode(tradeCodec.encode(t))).toEqual(t);
    const quoted = tradeCodec.encode(t).map((v, i) => (i >= 7 ? String(v) : v));
    expect(tradeCodec.decode(quoted)).toEqual(t);
    const c = candle('BTCUSDT', 2, { version: 7, final: false });
    expect(candleCodec.decode(candleCodec.encode(c))).toEqual(c);
    expect(candleCodec.decode(candleCodec.encode(c).map((v, i) => (i === 16 ? '7' : v)))).toEqual(c);
  });

  it('name the problem with a row they cannot store', () => {
    expect(tradeCodec.problem(trade('BTCUSDT', 1))).toBeUndefined();
    expect(tradeCodec.problem(trade('', 1))).toMatch(/symbol/);
    expect(tradeCodec.problem(trade('X', 1, { size: Number.POSITIVE_INFINITY }))).toMatch(/finite/);
    expect(tradeCodec.problem(trade('X', 1, { side: Side.UNRECOGNIZED }))).toBeUndefined();
    expect(tradeCodec.problem(trade('X', 1, { side: 7 as Side }))).toMatch(/side 7/);
    expect(tradeCodec.problem(trade('X', 1, { tradeCount: 2 ** 32 }))).toMatch(/tradeCount/);
    expect(tradeCodec.problem(trade('X', 1, { exchangeTs: 1.7e15 }))).toMatch(/epoch ms/); // µs, not ms
    expect(candleCodec.problem(candle('X', 1, { source: '' }))).toMatch(/source/);
    expect(candleCodec.problem(candle('X', 1, { version: -1 }))).toMatch(/version/);
    const e = { exchange: 'htx', market: 'spot', symbol: '', kind: QualityKind.QUALITY_KIND_STALE, bookEpoch: 0, expectedId: 0, receivedId: 0, detail: '', ts: 1 };
    expect(qualityEventCodec.problem(e)).toBeUndefined();
    expect(qualityEventCodec.problem({ ...e, kind: 42 as QualityKind })).toMatch(/kind 42/);
    expect(qualityEventCodec.problem({ ...e, expectedId: 2 ** 64 })).toMatch(/64-bit/);
  });
});
