/* eslint-disable @typescript-eslint/no-explicit-any -- frames parsed off the wire are checked field by field */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinanceSimulator, type SimTrade } from '../src/index.js';
import { FIXTURES, TestClock } from './helpers.js';

/** Independent recomputation: decimal strings → BigInt at 18 decimals, summed, printed with `out` decimals. */
const SCALE = 18;
const big = (s: string) => {
  const [i, f = ''] = s.split('.');
  return BigInt(i! + f.padEnd(SCALE, '0'));
};
const fmt = (v: bigint, scale: number, out: number) => {
  const s = (v / 10n ** BigInt(scale - out)).toString().padStart(out + 1, '0');
  return out ? `${s.slice(0, -out)}.${s.slice(-out)}` : s;
};

function recompute(
  trades: SimTrade[],
  open: number,
  iv: number,
  prevClose: string,
  priceDec: number,
  volDec: number,
  quoteDec: number,
): unknown[] {
  const ts = trades.filter((t) => t.time >= open && t.time < open + iv);
  if (!ts.length)
    return [
      open,
      prevClose,
      prevClose,
      prevClose,
      prevClose,
      fmt(0n, SCALE, volDec),
      open + iv - 1,
      fmt(0n, SCALE, quoteDec),
      0,
      fmt(0n, SCALE, volDec),
      fmt(0n, SCALE, quoteDec),
      '0',
    ];
  const px = ts.map((t) => big(t.priceStr));
  const max = px.reduce((a, b) => (b > a ? b : a));
  const min = px.reduce((a, b) => (b < a ? b : a));
  const vol = ts.reduce((a, t) => a + big(t.qtyStr), 0n);
  const quote = ts.reduce((a, t) => a + big(t.priceStr) * big(t.qtyStr), 0n);
  const buys = ts.filter((t) => !t.isBuyerMaker);
  const bVol = buys.reduce((a, t) => a + big(t.qtyStr), 0n);
  const bQuote = buys.reduce((a, t) => a + big(t.priceStr) * big(t.qtyStr), 0n);
  const n = ts.reduce((a, t) => a + t.lastId - t.firstId + 1, 0);
  return [
    open,
    ts[0]!.priceStr,
    fmt(max, SCALE, priceDec),
    fmt(min, SCALE, priceDec),
    ts[ts.length - 1]!.priceStr,
    fmt(vol, SCALE, volDec),
    open + iv - 1,
    fmt(quote, 2 * SCALE, quoteDec),
    n,
    fmt(bVol, SCALE, volDec),
    fmt(bQuote, 2 * SCALE, quoteDec),
    '0',
  ];
}

const MIN = 60_000;

describe('klines from the simulator’s own trades', () => {
  let sim: BinanceSimulator;
  const clock = new TestClock(Date.UTC(2026, 0, 5, 10, 0, 30));
  beforeAll(async () => {
    sim = await BinanceSimulator.start({ seed: 9, symbols: ['BTCUSDT'], autoTick: false, clock });
    for (let i = 0; i < 200; i++) {
      clock.t += 1500;
      sim.tick();
    }
    clock.t += 4 * MIN; // a quiet stretch: empty buckets must be flat at the previous close
    for (let i = 0; i < 100; i++) {
      clock.t += 1500;
      sim.tick();
    }
  });
  afterAll(() => sim.close());

  const get = async (base: string, q: string) => {
    const r = await fetch(`${base}?${q}`);
    return { status: r.status, body: await r.json() };
  };

  it.each([
    ['spot', '1m', MIN],
    ['spot', '5m', 5 * MIN],
    ['perp', '1m', MIN],
    ['perp', '15m', 15 * MIN],
  ] as const)('%s %s equals a direct recomputation', async (market, interval, iv) => {
    const base =
      market === 'spot' ? `${sim.urls.spotRest}/api/v3/klines` : `${sim.urls.perpRest}/fapi/v1/klines`;
    const { body: rows } = await get(base, `symbol=BTCUSDT&interval=${interval}`);
    const trades = sim.trades(market, 'BTCUSDT');
    const [priceDec, volDec, quoteDec] = market === 'spot' ? [8, 8, 8] : [2, 3, 5];
    const first = Math.floor(Date.UTC(2026, 0, 5, 10, 0, 30) / iv) * iv;
    expect(rows[0][0]).toBe(first);
    expect(rows[rows.length - 1][0]).toBe(Math.floor(clock.t / iv) * iv);
    let prev = trades[0]!.priceStr; // the session opens at the start price; the first bucket has trades
    for (const row of rows) {
      expect(row).toEqual(recompute(trades, row[0], iv, prev, priceDec, volDec, quoteDec));
      prev = row[4];
    }
    if (interval === '1m')
      expect(rows.some((r: any[]) => r[8] === 0 && r[5] === fmt(0n, SCALE, volDec))).toBe(true);
    expect(rows.reduce((a: number, r: any[]) => a + r[8], 0)).toBe(
      trades.reduce((a, t) => a + t.lastId - t.firstId + 1, 0),
    );
  });

  it('pages like Binance: startTime ascending, endTime backwards, limit', async () => {
    const base = `${sim.urls.spotRest}/api/v3/klines`;
    const { body: all } = await get(base, 'symbol=BTCUSDT&interval=1m');
    const opens = all.map((r: any[]) => r[0]);
    const { body: a } = await get(base, `symbol=BTCUSDT&interval=1m&startTime=${opens[2] - 1}&limit=3`);
    expect(a.map((r: any[]) => r[0])).toEqual(opens.slice(2, 5));
    const { body: b } = await get(base, `symbol=BTCUSDT&interval=1m&endTime=${opens[4] + 5}&limit=2`);
    expect(b.map((r: any[]) => r[0])).toEqual(opens.slice(3, 5));
    const { body: c } = await get(
      base,
      `symbol=BTCUSDT&interval=1m&startTime=${opens[1]}&endTime=${opens[3]}`,
    );
    expect(c.map((r: any[]) => r[0])).toEqual(opens.slice(1, 4));
    const { body: d } = await get(base, 'symbol=BTCUSDT&interval=1m&limit=2');
    expect(d.map((r: any[]) => r[0])).toEqual(opens.slice(-2));
    const { body: e } = await get(base, `symbol=BTCUSDT&interval=1m&startTime=${clock.t + 10 * MIN}`);
    expect(e).toEqual([]);
  });

  it('rejects bad requests with the documented errors', async () => {
    expect(await get(`${sim.urls.spotRest}/api/v3/klines`, 'symbol=BTCUSDT&interval=7m')).toEqual({
      status: 400,
      body: { code: -1120, msg: 'Invalid interval.' },
    });
    expect(await get(`${sim.urls.perpRest}/fapi/v1/klines`, 'symbol=NOPEUSDT&interval=1m')).toEqual({
      status: 400,
      body: { code: -1121, msg: 'Invalid symbol.' },
    });
    const missing = await get(`${sim.urls.spotRest}/api/v3/klines`, 'interval=1m');
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe(-1102);
  });
});

describe('klines before the session from the bundled real candles', () => {
  let sim: BinanceSimulator;
  const start = Date.UTC(2026, 0, 5, 6, 30, 0);
  const clock = new TestClock(start);
  const csv = (name: string) =>
    fs
      .readFileSync(path.join(FIXTURES, 'ohlcv', name), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
  beforeAll(async () => {
    sim = await BinanceSimulator.start({
      seed: 1,
      symbols: ['BTCUSDT', 'ETHUSDT'],
      markets: ['spot'],
      autoTick: false,
      clock,
      history: {},
    });
    clock.t += 1000;
    sim.tick();
  });
  afterAll(() => sim.close());

  it('serves real 1h/4h/1d candles, shifted by whole days to end where the session starts', async () => {
    for (const [interval, file, iv] of [
      ['1h', 'binance_spot_BTCUSDT_1h.csv', 3600_000],
      ['4h', 'binance_spot_ETHUSDT_4h.csv', 4 * 3600_000],
      ['1d', 'binance_spot_BTCUSDT_1d.csv', 86400_000],
    ] as const) {
      const sym = file.includes('ETH') ? 'ETHUSDT' : 'BTCUSDT';
      const real = csv(file);
      const rows = await (
        await fetch(
          `${sim.urls.spotRest}/api/v3/klines?symbol=${sym}&interval=${interval}&endTime=${Math.floor(start / iv) * iv - 1}&limit=1000`,
        )
      ).json();
      expect(rows.length).toBeGreaterThan(5);
      const last = rows[rows.length - 1];
      expect(last[6]).toBeLessThan(Math.floor(start / iv) * iv);
      // Each served row is a real row: find it by OHLC and check the shift is a whole number of days.
      const row = rows[rows.length - 3];
      const match = real.find(
        (r) =>
          Number(r[1]) === Number(row[1]) &&
          Number(r[2]) === Number(row[2]) &&
          Number(r[3]) === Number(row[3]) &&
          Number(r[4]) === Number(row[4]),
      );
      expect(match).toBeDefined();
      expect((row[0] - Number(match![0])) % 86400_000).toBe(0);
      expect(Number(row[5])).toBeCloseTo(Number(match![5]), 6);
    }
  });

  it('continues the price from the last historical close and pages across the session boundary', async () => {
    const rows = await (
      await fetch(`${sim.urls.spotRest}/api/v3/klines?symbol=BTCUSDT&interval=1h&limit=3`)
    ).json();
    expect(rows).toHaveLength(3);
    const session = rows[rows.length - 1];
    expect(session[0]).toBe(Math.floor(start / 3600_000) * 3600_000);
    expect(session[8]).toBeGreaterThanOrEqual(0);
    const prevClose = Number(rows[rows.length - 2][4]);
    expect(Math.abs(Number(session[1]) - prevClose) / prevClose).toBeLessThan(0.01);
    // 2h is rolled up from 1h.
    const h1 = await (
      await fetch(
        `${sim.urls.spotRest}/api/v3/klines?symbol=BTCUSDT&interval=1h&endTime=${start - 3 * 3600_000}&limit=4`,
      )
    ).json();
    const two = await (
      await fetch(
        `${sim.urls.spotRest}/api/v3/klines?symbol=BTCUSDT&interval=2h&startTime=${h1.find((r: any[]) => r[0] % 7200_000 === 0)[0]}&limit=1`,
      )
    ).json();
    const pair = h1.filter((r: any[]) => r[0] >= two[0][0] && r[0] < two[0][0] + 7200_000);
    expect(pair).toHaveLength(2);
    expect(Number(two[0][2])).toBe(Math.max(Number(pair[0][2]), Number(pair[1][2])));
    expect(two[0][4]).toBe(pair[1][4]);
  });
});
