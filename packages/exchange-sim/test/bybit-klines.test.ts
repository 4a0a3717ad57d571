/* eslint-disable @typescript-eslint/no-explicit-any -- REST bodies parsed off the wire */
import { afterEach, describe, expect, it } from 'vitest';
import { BybitSim, bucketStart, nextBucket, parseScaled, formatScaled } from '../src/index.js';
import { TestClock } from './helpers.js';

let sim: BybitSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const trim = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);

describe('Bybit klines from the simulator’s own trades', () => {
  it('every candle is the exact decimal aggregate of the trades sent in its bucket, newest first', async () => {
    const clock = new TestClock(Date.UTC(2026, 0, 5, 10, 0, 30));
    sim = await BybitSim.start({ seed: 11, symbols: ['BTCUSDT'], markets: ['spot'], autoTick: false, tradesPerSecond: 40, clock });
    for (let i = 0; i < 1500; i++) {
      clock.t += 100;
      sim.tick();
    }
    const body = (await (await fetch(`${sim.urls.rest}/v5/market/kline?category=spot&symbol=BTCUSDT&interval=1&limit=1000`)).json()) as any;
    expect(body).toMatchObject({ retCode: 0, retMsg: 'OK', result: { category: 'spot', symbol: 'BTCUSDT' } });
    const list: string[][] = body.result.list;
    const starts = list.map((r) => Number(r[0]));
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
    expect(list.length).toBe(4); // 10:00 … 10:03 (150 s of trades from 10:00:30)
    const trades = sim.trades('spot', 'BTCUSDT');
    for (const row of list) {
      const start = Number(row[0]);
      const inBucket = trades.filter((t) => t.time >= start && t.time < start + 60_000);
      expect(inBucket.length).toBeGreaterThan(0);
      const vol = inBucket.reduce((s, t) => s + parseScaled(t.sizeStr, 6), 0n);
      const turnover = inBucket.reduce((s, t) => s + parseScaled(t.priceStr, 2) * parseScaled(t.sizeStr, 6), 0n);
      const prices = inBucket.map((t) => t.price);
      expect(row).toEqual([
        String(start),
        inBucket[0]!.priceStr,
        String(Math.max(...prices)),
        String(Math.min(...prices)),
        inBucket.at(-1)!.priceStr,
        trim(formatScaled(vol, 6)),
        trim(formatScaled(turnover, 8)),
      ]);
    }
  });

  it('pages like the venue: the newest `limit` candles with start in [start, end]', async () => {
    const clock = new TestClock(Date.UTC(2026, 0, 5, 10, 0, 0));
    sim = await BybitSim.start({ seed: 12, symbols: ['ETHUSDT'], markets: ['perp'], autoTick: false, clock });
    for (let i = 0; i < 100; i++) {
      clock.t += 6_000; // 10 minutes
      sim.tick();
    }
    const get = async (q: string) => ((await (await fetch(`${sim!.urls.rest}/v5/market/kline?symbol=ETHUSDT&interval=1${q}`)).json()) as any).result.list.map((r: string[]) => Number(r[0]));
    const t0 = Date.UTC(2026, 0, 5, 10, 0, 0);
    const m = (k: number) => t0 + k * 60_000;
    expect(await get('&category=linear&limit=3')).toEqual([m(10), m(9), m(8)]);
    expect(await get(`&category=linear&start=${m(2)}&end=${m(5)}`)).toEqual([m(5), m(4), m(3), m(2)]);
    expect(await get(`&category=linear&start=${m(2)}&end=${m(5)}&limit=2`)).toEqual([m(5), m(4)]);
    expect(await get(`&start=${m(9)}`)).toEqual([m(10), m(9)]); // category defaults to linear
    const bad = (await (await fetch(`${sim.urls.rest}/v5/market/kline?category=linear&symbol=ETHUSDT&interval=1&limit=1001`)).json()) as any;
    expect(bad).toMatchObject({ retCode: 10001 });
  });

  it('bucket boundaries: minutes, D, W from Monday 00:00 UTC, M from the 1st', () => {
    const t = Date.UTC(2026, 0, 7, 13, 47, 12); // Wednesday
    expect(bucketStart(t, '15')).toBe(Date.UTC(2026, 0, 7, 13, 45));
    expect(bucketStart(t, '720')).toBe(Date.UTC(2026, 0, 7, 12));
    expect(bucketStart(t, 'D')).toBe(Date.UTC(2026, 0, 7));
    expect(bucketStart(t, 'W')).toBe(Date.UTC(2026, 0, 5));
    expect(new Date(bucketStart(t, 'W')).getUTCDay()).toBe(1);
    expect(bucketStart(t, 'M')).toBe(Date.UTC(2026, 0, 1));
    expect(nextBucket(Date.UTC(2026, 1, 1), 'M')).toBe(Date.UTC(2026, 2, 1));
  });
});
