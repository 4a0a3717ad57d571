import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LevelKind, LevelSource, type Level, type LevelSet } from '@pricelevel/contracts';
import { createChdbStore, silentLogger, type ClickHouseStore, type SeriesQuery } from '../src/index.js';

// One chDB session in this file (each holds ~250 MB); the data dir goes at the end.
const dir = mkdtempSync(join(tmpdir(), 'pricelevel-levels-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOUR = 3_600_000;
/** Sets i = 0, 1, … are an hour apart from here, across a month (= partition) boundary. */
const T0 = Date.UTC(2024, 2, 31, 20);

function level(price: number, over: Partial<Level> = {}): Level {
  return {
    id: `lvl-${price}`,
    price,
    zoneLow: price - 12.5,
    zoneHigh: price + 12.5,
    kind: LevelKind.LEVEL_KIND_SUPPORT,
    sources: [LevelSource.LEVEL_SOURCE_EXTREMA, LevelSource.LEVEL_SOURCE_ROUND_NUMBER],
    timeframes: ['1d', '4h'],
    touches: 4,
    bounces: 3,
    breaks: 1,
    falseBreakouts: 0,
    firstTouchTs: T0 - 400 * 24 * HOUR,
    lastTouchTs: T0 - 3 * 24 * HOUR,
    touchVolumeRatio: 1.37,
    score: 0.1 + 0.2,
    distanceAtr: -1 / 3,
    ...over,
  };
}

/** Version i + 1 of `symbol`'s levels, computed at T0 + i hours, a support below and a resistance above 60 000. */
function levelSet(symbol: string, i: number, over: Partial<LevelSet> = {}): LevelSet {
  const support = level(59_000 + i);
  const resistance = level(61_000 + i, { kind: LevelKind.LEVEL_KIND_RESISTANCE, timeframes: ['1h'], distanceAtr: 0.9 });
  return {
    exchange: 'binance',
    market: 'perp',
    symbol,
    version: i + 1,
    computedAt: T0 + i * HOUR,
    currentPrice: 60_000.123456789,
    atr: 1_111.1,
    levels: [level(58_000 + i, { score: 0.05 }), support, resistance],
    nearestSupport: support,
    nearestResistance: resistance,
    ...over,
  };
}

const range = (symbol: string, over: Partial<SeriesQuery> = {}): SeriesQuery => ({
  exchange: 'binance', market: 'perp', symbol, fromTs: T0 - HOUR, toTs: T0 + 100 * HOUR, limit: 1000, ...over,
});

describe('level sets on chDB', () => {
  let store: ClickHouseStore;
  beforeAll(async () => {
    store = await createChdbStore({ path: dir, database: 'levels', logger: silentLogger });
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
  });

  it('round-trips a set exactly: levels, nearest support and resistance, awkward doubles, enums it does not know', async () => {
    const odd = level(1e-300, {
      id: 'zone ✓ 0.1', zoneLow: Number.NEGATIVE_INFINITY, zoneHigh: Number.MAX_VALUE, distanceAtr: Number.NaN, touchVolumeRatio: Number.NaN,
      kind: LevelKind.UNRECOGNIZED, sources: [], timeframes: [], touches: 2_147_483_647, breaks: -5, firstTouchTs: -1, lastTouchTs: Number.MAX_SAFE_INTEGER,
    });
    const set = levelSet('RTUSDT', 0, { levels: [odd, ...levelSet('RTUSDT', 0).levels], atr: Number.NaN, currentPrice: 5e-324 });
    const noNearest = levelSet('RTUSDT', 1, { nearestSupport: undefined, nearestResistance: undefined });
    const empty = levelSet('RTUSDT', 2, { levels: [], nearestSupport: undefined, nearestResistance: undefined, currentPrice: 0, atr: 0 });
    const wide = levelSet('RTUSDT', 3, { levels: Array.from({ length: 1000 }, (_, k) => level(10_000 + k * 50.25, { id: `w${k}`, score: k / 999 })) });
    await store.insertLevelSets([set, noNearest, empty, wide]);

    const got = await store.queryLevelSets(range('RTUSDT'));
    expect(got).toEqual([set, noNearest, empty, wide]);
    expect(got[0]!.levels[0]!.distanceAtr).toBeNaN();
    expect(got[0]!.atr).toBeNaN();
    expect(got[0]!.nearestSupport).toEqual(set.nearestSupport);
    expect(got[0]!.nearestResistance!.timeframes).toEqual(['1h']);
    expect(got[1]!.nearestSupport).toBeUndefined();
  });

  it('honours range, limit and tail (the newest sets, still oldest first)', async () => {
    const sym = 'RANGEUSDT';
    const sets = Array.from({ length: 10 }, (_, i) => levelSet(sym, i));
    await store.insertLevelSets([...sets].reverse());
    const cases: [Partial<SeriesQuery>, number, number][] = [
      [{}, 0, 10],
      [{ fromTs: T0 + 2 * HOUR, toTs: T0 + 6 * HOUR }, 2, 6], // computed_at: fromTs inclusive, toTs exclusive
      [{ fromTs: T0 + 2 * HOUR, toTs: T0 + 6 * HOUR, limit: 2 }, 2, 4],
      [{ fromTs: T0 + 2 * HOUR, toTs: T0 + 6 * HOUR, limit: 2, tail: true }, 4, 6],
      [{ limit: 1, tail: true }, 9, 10],
      [{ fromTs: 0, toTs: T0 + 5 * HOUR + 1, limit: 1, tail: true }, 5, 6],
      [{ limit: 50, tail: true }, 0, 10],
      [{ fromTs: T0 + 20 * HOUR }, 0, 0],
    ];
    for (const [over, from, to] of cases) {
      expect((await store.queryLevelSets(range(sym, over))).map((s) => s.version)).toEqual(sets.slice(from, to).map((s) => s.version));
    }
    expect(await store.queryLevelSets(range(sym, { limit: 3, tail: true }))).toEqual(sets.slice(7));
  });

  it('keeps one set per version: redeliveries collapse, a rewrite replaces the set, wherever its computed_at moved', async () => {
    const sym = 'DEDUPUSDT';
    const sets = [0, 1, 2].map((i) => levelSet(sym, i));
    await store.insertLevelSets(sets);
    await store.insertLevelSets([sets[1]!, sets[1]!]);
    expect(await store.queryLevelSets(range(sym))).toEqual(sets);

    const rewritten = levelSet(sym, 1, { levels: [level(42)], nearestSupport: level(42), nearestResistance: undefined });
    await store.insertLevelSets([rewritten]);
    expect(await store.queryLevelSets(range(sym))).toEqual([sets[0], rewritten, sets[2]]);

    // The same version rewritten with another computed_at (in another month): still one set, the newest write.
    const moved = { ...rewritten, computedAt: T0 - 30 * 24 * HOUR, currentPrice: 1 };
    await store.insertLevelSets([moved]);
    expect(await store.queryLevelSets(range(sym, { fromTs: 0 }))).toEqual([moved, sets[0], sets[2]]);
    expect(await store.queryLevelSets(range(sym, { fromTs: 0, limit: 1, tail: true }))).toEqual([sets[2]]);
  });

  it('never returns another instrument\'s sets', async () => {
    const sym = 'ISOUSDT';
    await store.insertLevelSets([
      levelSet(sym, 0), levelSet(sym, 0, { market: 'spot' }), levelSet(sym, 0, { exchange: 'bybit' }), levelSet('ISO2USDT', 0),
    ]);
    expect(await store.queryLevelSets(range(sym))).toEqual([levelSet(sym, 0)]);
    expect(await store.queryLevelSets(range(sym, { market: 'spot' }))).toEqual([levelSet(sym, 0, { market: 'spot' })]);
    expect(await store.queryLevelSets(range(sym, { exchange: 'htx' }))).toEqual([]);
  });

  it('drops the sets it cannot store exactly, counts them and keeps the valid rest', async () => {
    const sym = 'BADUSDT';
    const before = store.droppedRows.level_sets;
    const bad = [
      levelSet(sym, 0, { version: -1 }),
      levelSet(sym, 1, { computedAt: Number.NaN }),
      levelSet(sym, 2, { symbol: '' }),
      levelSet(sym, 3, { levels: [level(1, { touches: 1.5 })] }),
      levelSet(sym, 4, { nearestResistance: level(2, { firstTouchTs: 2 ** 60 }) }),
      levelSet(sym, 5, { levels: [level(3, { timeframes: [7 as unknown as string] })] }),
    ];
    await store.insertLevelSets([...bad, levelSet(sym, 6)]);
    expect(store.droppedRows.level_sets - before).toBe(bad.length);
    expect(await store.queryLevelSets(range(sym))).toEqual([levelSet(sym, 6)]);
  });

  it('rejects bad query arguments with a clear error, and treats hostile names as data', async () => {
    await expect(store.queryLevelSets(range('X', { limit: 0 }))).rejects.toThrow(/limit/);
    await expect(store.queryLevelSets(range('X', { toTs: Number.NaN }))).rejects.toThrow(/toTs/);
    await expect(store.queryLevelSets(range('', {}))).rejects.toThrow(/symbol/);
    const hostile = "X' OR 1=1 --";
    await store.insertLevelSets([levelSet(hostile, 0)]);
    expect(await store.queryLevelSets(range(hostile))).toEqual([levelSet(hostile, 0)]);
  });
});
