import { describe, expect, it } from 'vitest';
import { BookFeatures, BookSnapshot, Completeness, OrderFlow, PositionSide, Side } from '@pricelevel/contracts';
import { FEATURE_MIGRATIONS } from '../src/store/feature-migrations.js';
import { BOOK_FEATURE_DOUBLES, bookFeaturesCodec, bookSnapshotCodec, liquidationCodec, MAX_BOOK_LEVELS } from '../src/store/feature-codecs.js';
import { ORDER_FLOW_DOUBLES, orderFlowCodec } from '../src/store/order-flow-codec.js';
import { camel, decodeF64, decodeF64s, encodeF64, encodeF64s } from '../src/store/row-values.js';
import { bookFeatures, liquidation, orderFlow, snapshot } from './feature-rows.js';

const codecs = [bookSnapshotCodec, bookFeaturesCodec, orderFlowCodec, liquidationCodec];

describe('double encoding', () => {
  it('keeps NaN, ±Infinity and -0 out of JSON numbers, and reads them back', () => {
    expect([Number.NaN, Infinity, -Infinity, -0, 0, 0.1 + 0.2, -1e-300].map(encodeF64)).toEqual(['nan', 'inf', '-inf', '-0', 0, 0.1 + 0.2, -1e-300]);
    expect(['nan', '-nan', 'inf', '+inf', '-inf', -0, '1.5', 'NaN'].map(decodeF64)).toEqual([NaN, NaN, Infinity, Infinity, -Infinity, -0, 1.5, NaN]);
    expect(Object.is(decodeF64(JSON.parse(JSON.stringify([encodeF64(-0)]))[0]), -0)).toBe(true);
    expect(decodeF64('constructor')).toBeNaN();
  });

  it('passes plain arrays through without copying', () => {
    const plain = [1, 2.5, -3];
    expect(encodeF64s(plain)).toBe(plain);
    expect(decodeF64s(plain)).toBe(plain);
    expect(encodeF64s([1, NaN, -0])).toEqual([1, 'nan', '-0']);
    expect(decodeF64s([1, 'nan', '-inf'])).toEqual([1, NaN, -Infinity]);
  });
});

describe('feature row codecs', () => {
  it('keep columns and select lists in step, and match the tables of their migrations', () => {
    for (const c of codecs) {
      expect(c.select).toHaveLength(c.columns.length);
      const ddl = FEATURE_MIGRATIONS.flatMap((m) => m.statements('db')).find((s) => s.includes(`db.${c.table} (`));
      const tableColumns = [...ddl!.matchAll(/^\s+([a-z0-9_]+) [A-Z]/gm)].map((m) => m[1]);
      expect(new Set(tableColumns)).toEqual(new Set([...c.columns, 'written_at']));
      expect(tableColumns).toHaveLength(c.columns.length + 1);
    }
  });

  it('cover every double field of BookFeatures and OrderFlow', () => {
    const doubles = (m: object, not: string[]) =>
      Object.entries(m).filter(([k, v]) => typeof v === 'number' && !not.includes(k)).map(([k]) => k);
    expect(doubles(BookFeatures.fromPartial({}), ['ts', 'bidLevels', 'askLevels'])).toEqual(BOOK_FEATURE_DOUBLES.map(camel));
    const flowInts = ['openTime', 'closeTime', 'tradeCount', 'lateTrades', 'liquidationCount', 'liquidationCompleteness',
      'stackedBuyImbalances', 'stackedSellImbalances', 'bidWalls', 'askWalls', 'wallsPulled', 'wallsConsumed'];
    expect(doubles(OrderFlow.fromPartial({}), flowInts)).toEqual(ORDER_FLOW_DOUBLES.map(camel));
  });

  it('decode what they encode, NaN and -0 included, through JSON', () => {
    const viaJson = <T>(c: { encode(v: T): unknown[]; decode(r: readonly unknown[]): T }, v: T) =>
      c.decode(JSON.parse(JSON.stringify(c.encode(v))) as unknown[]);
    const s = snapshot('X', 1, { bidPrices: [-0, 1e-300], bidSizes: [5e-324, 0.1 + 0.2] });
    expect(viaJson(bookSnapshotCodec, s)).toEqual(s);
    const f = bookFeatures('X', 1, { spread: -0, priceChange1s: -Infinity });
    expect(viaJson(bookFeaturesCodec, f)).toEqual(f);
    const o = orderFlow('X', '1m', 1);
    expect(viaJson(orderFlowCodec, o)).toEqual(o);
    const l = liquidation('X', 1);
    expect(viaJson(liquidationCodec, l)).toEqual(l);
    // 64-bit integers may come back quoted.
    expect(bookSnapshotCodec.decode(bookSnapshotCodec.encode(s).map((v, i) => (i === 5 || i === 6 ? String(v) : v)))).toEqual(s);
  });

  it('name the problem with a row they cannot store', () => {
    expect(bookSnapshotCodec.problem(snapshot('X', 1))).toBeUndefined();
    expect(bookSnapshotCodec.problem(snapshot('', 1))).toMatch(/symbol/);
    expect(bookSnapshotCodec.problem(snapshot('X', 1, { ts: 1.5 }))).toMatch(/epoch ms/);
    expect(bookSnapshotCodec.problem(snapshot('X', 1, { bookTs: -1 }))).toMatch(/epoch ms/);
    expect(bookSnapshotCodec.problem(snapshot('X', 1, { bidSizes: [1] }))).toMatch(/bid prices and sizes must have one length/);
    expect(bookSnapshotCodec.problem(snapshot('X', 1, { askPrices: [NaN, 1, 2], askSizes: [1, 1, 1] }))).toMatch(/ask .*finite/);
    const wide = Array.from({ length: MAX_BOOK_LEVELS + 1 }, (_, i) => 100 - i * 0.01);
    expect(bookSnapshotCodec.problem(snapshot('X', 1, { bidPrices: wide, bidSizes: wide }))).toMatch(/more than 1000 levels/);
    expect(bookSnapshotCodec.problem(BookSnapshot.fromPartial({ exchange: 'a', market: 'b', symbol: 'c' }))).toBeUndefined();

    expect(bookFeaturesCodec.problem(bookFeatures('X', 1))).toBeUndefined();
    expect(bookFeaturesCodec.problem(bookFeatures('X', 1, { bidLevels: -1 }))).toMatch(/bidLevels/);
    expect(bookFeaturesCodec.problem(bookFeatures('X', 1, { spreadPct: undefined as unknown as number }))).toMatch(/spreadPct/);
    expect(bookFeaturesCodec.problem(bookFeatures('X', 1, { resyncing: 1 as unknown as boolean }))).toMatch(/resyncing/);

    expect(orderFlowCodec.problem(orderFlow('X', '1s', 1))).toBeUndefined();
    expect(orderFlowCodec.problem(orderFlow('X', '', 1))).toMatch(/interval/);
    expect(orderFlowCodec.problem(orderFlow('X', '1s', 1, { lateTrades: 0.5 }))).toMatch(/lateTrades/);
    expect(orderFlowCodec.problem(orderFlow('X', '1s', 1, { wallsPulled: 2 ** 31 }))).toMatch(/wallsPulled/);
    expect(orderFlowCodec.problem(orderFlow('X', '1s', 1, { liquidationCompleteness: 9 as Completeness }))).toMatch(/completeness 9/);
    const level = orderFlow('X', '1s', 1).footprint[0]!;
    expect(orderFlowCodec.problem(orderFlow('X', '1s', 1, { footprint: [{ ...level, sellImbalance: 0 as unknown as boolean }] })))
      .toMatch(/sellImbalance/);
    expect(orderFlowCodec.problem(orderFlow('X', '1s', 1, { footprint: [{ ...level, price: '1' as unknown as number }] }))).toMatch(/price/);

    expect(liquidationCodec.problem(liquidation('X', 1))).toBeUndefined();
    expect(liquidationCodec.problem(liquidation('X', 1, { price: NaN }))).toMatch(/finite/);
    expect(liquidationCodec.problem(liquidation('X', 1, { side: 5 as Side }))).toMatch(/side 5/);
    expect(liquidationCodec.problem(liquidation('X', 1, { liquidatedPosition: 3 as PositionSide }))).toMatch(/position 3/);
    expect(liquidationCodec.problem(liquidation('X', 1, { completeness: Completeness.UNRECOGNIZED }))).toBeUndefined();
    expect(liquidationCodec.problem(liquidation('X', 1, { receivedTs: 1.7e15 }))).toMatch(/epoch ms/);
  });
});
