import { LevelKind, type Level } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import { TIMEFRAME_MS, detectLevels, type Bar } from '../src/index.js';
import { DAY, fixtureBars, realBarsAsOf } from './level-series.js';

// Binance spot candles (fixtures/ohlcv), cut as the service would at the date: 5 y of 1d, 1 y of 4h, 90 d of
// 1h, all closed by the date. Each expectation is a zone that price history is well known for; a level
// matches when its zone overlaps the named price band (the tolerance).
const overlaps = (l: Level, lo: number, hi: number) => l.zoneLow <= hi && l.zoneHigh >= lo;
const supports = (ls: Level[]) => ls.filter((l) => l.kind === LevelKind.LEVEL_KIND_SUPPORT);
const resistances = (ls: Level[]) => ls.filter((l) => l.kind === LevelKind.LEVEL_KIND_RESISTANCE);

describe('BTCUSDT', () => {
  it('2018-11-01: support at the ~6 000 floor that held from February to October 2018', () => {
    // The 2018 bear market's "$6,000 floor": lows of 6 Feb (~6 000), 24 Jun (~5 780) and 14 Aug (~5 880),
    // broken on 14 Nov 2018.
    const r = detectLevels(realBarsAsOf('BTC', '2018-11-01'));
    const floor = supports(r.levels).filter((l) => overlaps(l, 5800, 6200));
    expect(floor.length).toBeGreaterThan(0);
    for (const l of floor) {
      expect(l.touches).toBeGreaterThanOrEqual(4);
      expect(l.bounces).toBeGreaterThan(l.breaks);
    }
    expect(r.nearestSupport!.price).toBeGreaterThan(5800);
    expect(r.nearestSupport!.price).toBeLessThan(r.currentPrice);
  });

  it('2018-11-25: after the 14 Nov breakdown the 6 000 floor is resistance, with the break counted', () => {
    const r = detectLevels(realBarsAsOf('BTC', '2018-11-25'));
    const [broken] = resistances(r.levels).filter((l) => overlaps(l, 5800, 6200));
    expect(broken).toBeDefined();
    expect(broken!.breaks).toBeGreaterThanOrEqual(1);
    expect(broken!.firstTouchTs).toBeLessThan(Date.parse('2018-03-01')); // the zone dates back to February
    expect(r.nearestSupport).toBeUndefined(); // a new low: nothing below
  });

  it('2020-07-01: resistance under the 10 000–10 500 ceiling, support near 9 000', () => {
    // The 2019–2020 range: rejected near 10 500 in Feb 2020 and again on 1–2 Jun 2020; June 2020 held ~9 000.
    const r = detectLevels(realBarsAsOf('BTC', '2020-07-01'));
    expect(resistances(r.levels).some((l) => overlaps(l, 9900, 10600))).toBe(true);
    expect(overlaps(r.nearestSupport!, 8800, 9200)).toBe(true);
    expect(r.nearestResistance!.zoneLow).toBeLessThan(10600);
  });

  it('2022-10-01: support at the June–September 2022 lows (17 600–18 600), resistance at the 20–22.5k lid', () => {
    const r = detectLevels(realBarsAsOf('BTC', '2022-10-01'));
    expect(overlaps(r.nearestSupport!, 18000, 19000)).toBe(true);
    expect(r.nearestSupport!.bounces).toBeGreaterThan(r.nearestSupport!.breaks);
    expect(resistances(r.levels).some((l) => overlaps(l, 20000, 22500))).toBe(true);
  });

  it('depends only on the bars up to the date: a prefix gives the same levels whatever follows it', () => {
    const t = Date.parse('2020-07-01');
    const prefix = realBarsAsOf('BTC', t);
    // The same history followed by 60 days of future bars, wildly off (× 3), then cut at the date again.
    const withFuture = (bars: readonly Bar[], tf: '1d' | '4h' | '1h') => [
      ...bars,
      ...fixtureBars('BTC', tf)
        .filter((b) => b.openTime + TIMEFRAME_MS[tf] > t && b.openTime < t + 60 * DAY)
        .map((b) => ({ ...b, high: b.high * 3, close: b.close * 3, open: b.open * 3, low: b.low * 3 })),
    ];
    const long = { d1: withFuture(prefix.d1, '1d'), h4: withFuture(prefix.h4, '4h'), h1: withFuture(prefix.h1, '1h') };
    const cut = (bars: Bar[], tf: '1d' | '4h' | '1h') => bars.filter((b) => b.openTime + TIMEFRAME_MS[tf] <= t);
    expect(long.d1.length).toBeGreaterThan(prefix.d1.length);
    const fromLong = detectLevels({ d1: cut(long.d1, '1d'), h4: cut(long.h4, '4h'), h1: cut(long.h1, '1h') });
    expect(fromLong).toEqual(detectLevels(prefix));
    expect(detectLevels(long)).not.toEqual(fromLong); // the future, when given, does matter
  });

  it('keeps the id of a level whose centre did not move when a day of bars is appended', () => {
    for (const day of ['2020-07-01', '2022-10-01']) {
      const t = Date.parse(day);
      const a = detectLevels(realBarsAsOf('BTC', t));
      const b = detectLevels(realBarsAsOf('BTC', t + DAY));
      let matched = 0;
      for (const l of b.levels) {
        const same = a.levels.find((x) => Math.abs(x.price / l.price - 1) < 0.001);
        if (!same) continue;
        matched++;
        expect(l.id).toBe(same.id);
      }
      expect(matched).toBeGreaterThan(0);
    }
  });
});

describe('ETHUSDT', () => {
  it('2020-07-01: resistance at the ~240–250 cap of June 2020, support near 220', () => {
    // ETH spent June 2020 between ~220 and ~250 before the late-July breakout.
    const r = detectLevels(realBarsAsOf('ETH', '2020-07-01'));
    expect(resistances(r.levels).some((l) => overlaps(l, 235, 255))).toBe(true);
    expect(overlaps(r.nearestSupport!, 210, 225)).toBe(true);
  });

  it('2022-10-01: support at the September 2022 lows after the Merge (~1 220–1 290), resistance toward 1 700–2 000', () => {
    // After the Merge (15 Sep 2022) ETH fell to ~1 220 (21 Sep) and held; the August 2022 rally topped near 2 000.
    const r = detectLevels(realBarsAsOf('ETH', '2022-10-01'));
    expect(overlaps(r.nearestSupport!, 1220, 1290)).toBe(true);
    expect(resistances(r.levels).some((l) => overlaps(l, 1650, 2050))).toBe(true);
  });
});
