/* eslint-disable @typescript-eslint/no-explicit-any -- REST bodies parsed off the wire */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BingxSim, BybitSim, HtxSim, defaultFixturesDir, formatScaled, parseScaled } from '../src/index.js';
import { TestClock } from './helpers.js';

/**
 * Bybit, BingX and HTX with `history: {}` serve the bundled real candles (fixtures/ohlcv) before the
 * session's klines, fetched over HTTP on loopback: values equal to the CSV rows (at the venue's
 * precision), timestamps shifted by whole days so the history ends where the session starts, in each
 * venue's order and paging. The session starts at the history's last close.
 */
const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 5, 10, 20, 30);
const OHLCV = path.join(defaultFixturesDir(), 'ohlcv');

interface Csv {
  t: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
}

function readCsv(name: string): Csv[] {
  return fs
    .readFileSync(path.join(OHLCV, name), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [t, open, high, low, close, volume] = line.split(',') as [string, string, string, string, string, string];
      return { t: Number(t), open, high, low, close, volume };
    });
}

/** The documented shift: the last day of the 1h files lands on the session's first day. */
function shiftFor(sessionStart: number): number {
  let lastDay = -Infinity;
  for (const f of fs.readdirSync(OHLCV).filter((n) => /_1h\.csv$/.test(n))) {
    const rows = readCsv(f);
    lastDay = Math.max(lastDay, Math.floor(rows[rows.length - 1]!.t / DAY) * DAY);
  }
  return Math.floor(sessionStart / DAY) * DAY - lastDay;
}

/** The CSV's candles on the session timeline, closed before the session's first bucket of `iv`. */
function expectedHistory(file: string, iv: number): Csv[] {
  const shift = shiftFor(T0);
  const first = Math.floor(T0 / iv) * iv;
  return readCsv(file)
    .map((c) => ({ ...c, t: c.t + shift }))
    .filter((c) => c.t + iv <= first);
}

const trim = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
/** A CSV decimal at the venue's precision (round half up), trimmed. */
const at = (s: string, decimals: number) => trim(formatScaled(parseScaled(s, decimals, true), decimals));

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('Bybit /v5/market/kline with history', () => {
  it('newest first: the session candle, then the real candles; start/end windows page back through them', async () => {
    const clock = new TestClock(T0);
    const sim = await BybitSim.start({ seed: 21, symbols: ['BTCUSDT'], markets: ['spot'], autoTick: false, clock, history: {} });
    close = () => sim.close();
    const hist = expectedHistory('binance_spot_BTCUSDT_1h.csv', HOUR);
    const lastClose = hist[hist.length - 1]!.close;
    const get = async (q: string): Promise<string[][]> => {
      const body = (await (await fetch(`${sim.urls.rest}/v5/market/kline?category=spot&symbol=BTCUSDT&interval=60${q}`)).json()) as any;
      expect(body.retCode).toBe(0);
      return body.result.list;
    };
    // Before any trade the session's hour is flat at the start price: the history's last close.
    const flat = await get('&limit=2');
    expect(flat[0]!.slice(0, 5)).toEqual([String(Math.floor(T0 / HOUR) * HOUR), ...Array(4).fill(trim(lastClose))]);

    clock.t += 60_000;
    sim.tick(20);
    const list = await get('&limit=1000');
    expect(list.length).toBe(1000);
    expect(Number(list[0]![0])).toBe(Math.floor(T0 / HOUR) * HOUR);
    expect(Number(list[0]![1])).toBe(sim.trades('spot', 'BTCUSDT')[0]!.price);
    const want = hist.slice(-999).reverse();
    expect(list.slice(1)).toEqual(
      want.map((c) => [String(c.t), trim(c.open), trim(c.high), trim(c.low), trim(c.close), at(c.volume, 6), expect.any(String)]),
    );
    // An older window: the newest `limit` with start in [start, end].
    const end = hist[hist.length - 1000]!.t;
    const older = await get(`&start=${hist[0]!.t}&end=${end}&limit=1000`);
    expect(older.map((r) => Number(r[0]))).toEqual(hist.slice(-1999, -999).map((c) => c.t).reverse());
    expect(older.map((r) => r[4])).toEqual(hist.slice(-1999, -999).map((c) => trim(c.close)).reverse());
  });

  it('daily candles on linear; a given startPrice overrides the history', async () => {
    const clock = new TestClock(T0);
    const sim = await BybitSim.start({ seed: 22, symbols: ['BTCUSDT'], markets: ['perp'], autoTick: false, clock, history: {}, startPrice: { BTCUSDT: 50_000 } });
    close = () => sim.close();
    const body = (await (await fetch(`${sim.urls.rest}/v5/market/kline?category=linear&symbol=BTCUSDT&interval=D&limit=400`)).json()) as any;
    const list: string[][] = body.result.list;
    const hist = expectedHistory('binance_spot_BTCUSDT_1d.csv', DAY);
    expect(list[0]!.slice(0, 2).map(Number)).toEqual([Math.floor(T0 / DAY) * DAY, 50_000]);
    expect(list.slice(1).map((r) => [Number(r[0]), r[2], r[3]])).toEqual(
      hist.slice(-399).reverse().map((c) => [c.t, trim(c.high), trim(c.low)]),
    );
  });
});

describe('BingX /openApi/swap/v3/quote/klines with history', () => {
  it('pages like Binance through the real candles into the session, at the contract precision', async () => {
    const clock = new TestClock(T0);
    const sim = await BingxSim.start({ seed: 23, symbols: ['BTC-USDT'], autoTick: false, clock, history: {} });
    close = () => sim.close();
    clock.t += 60_000;
    sim.tick(20);
    const hist = expectedHistory('binance_spot_BTCUSDT_1h.csv', HOUR);
    const get = async (q: string): Promise<any[]> => {
      const body = (await (await fetch(`${sim.urls.perpRest}/openApi/swap/v3/quote/klines?symbol=BTC-USDT&interval=1h${q}`)).json()) as any;
      expect(body.code).toBe(0);
      return body.data;
    };
    const row = (c: Csv) => ({ time: c.t, open: at(c.open, 1), high: at(c.high, 1), low: at(c.low, 1), close: at(c.close, 1), volume: at(c.volume, 4) });
    const norm = (k: any) => ({ time: k.time, open: trim(k.open), high: trim(k.high), low: trim(k.low), close: trim(k.close), volume: trim(k.volume) });
    // Forward from startTime: 1440 real candles, ascending.
    const from = hist[hist.length - 1500]!;
    const forward = await get(`&startTime=${from.t}&limit=1440`);
    expect(forward.map(norm)).toEqual(hist.slice(-1500, -60).map(row));
    // No startTime: the last `limit` up to now end with the session's hour.
    const latest = await get('&limit=3');
    expect(latest.map((k) => k.time)).toEqual([hist.at(-2)!.t, hist.at(-1)!.t, Math.floor(T0 / HOUR) * HOUR]);
    expect(trim(latest[2].open)).toBe(trim(sim.trades('perp', 'BTCUSDT')[0]!.priceStr));
    // The session started at the history's last close (at the contract's 0.1 tick).
    expect(Math.abs(sim.trades('perp', 'BTCUSDT')[0]!.price / Number(hist.at(-1)!.close) - 1)).toBeLessThan(0.01);
  });
});

describe('HTX /market/history/kline with history', () => {
  const UTC8 = 8 * HOUR;

  it('the latest `size`, newest first: session hours, then the real hours', async () => {
    const clock = new TestClock(T0);
    const sim = await HtxSim.start({ seed: 24, symbols: ['BTCUSDT'], autoTick: false, clock, history: {} });
    close = () => sim.close();
    const hist = expectedHistory('binance_spot_BTCUSDT_1h.csv', HOUR);
    const get = async (q: string): Promise<any[]> => {
      const body = (await (await fetch(`${sim.urls.spotRest}/market/history/kline?symbol=btcusdt${q}`)).json()) as any;
      expect(body.status).toBe('ok');
      return body.data;
    };
    const flat = (await get('&period=60min&size=1'))[0];
    expect([flat.open, flat.high, flat.low, flat.close]).toEqual(Array(4).fill(Number(hist.at(-1)!.close)));
    clock.t += 60_000;
    sim.tick(20);
    const data = await get('&period=60min&size=2000');
    expect(data.length).toBe(2000);
    expect(data[0].id * 1000).toBe(Math.floor(T0 / HOUR) * HOUR);
    expect(data[0].count).toBeGreaterThan(0);
    expect(data.slice(1).map((k) => [k.id * 1000, k.open, k.high, k.low, k.close, k.amount, k.count])).toEqual(
      hist
        .slice(-1999)
        .reverse()
        .map((c) => [c.t, Number(c.open), Number(c.high), Number(c.low), Number(c.close), Number(at(c.volume, 6)), 0]),
    );
  });

  it('days start at 00:00 UTC+8 and aggregate the real hours of that day', async () => {
    const clock = new TestClock(T0);
    const sim = await HtxSim.start({ seed: 25, symbols: ['BTCUSDT'], autoTick: false, clock, history: {} });
    close = () => sim.close();
    const body = (await (await fetch(`${sim.urls.spotRest}/market/history/kline?symbol=btcusdt&period=1day&size=30`)).json()) as any;
    const days: any[] = body.data;
    const hours = expectedHistory('binance_spot_BTCUSDT_1h.csv', HOUR);
    const sessionDay = Math.floor((T0 + UTC8) / DAY) * DAY - UTC8;
    expect(days.length).toBe(30);
    expect(days[0].id * 1000).toBe(sessionDay);
    for (const d of days.slice(1)) {
      const open = d.id * 1000;
      expect((open + UTC8) % DAY).toBe(0);
      const inDay = hours.filter((h) => h.t >= open && h.t < open + DAY);
      expect(inDay.length).toBe(24);
      expect([d.open, d.high, d.low, d.close]).toEqual([
        Number(inDay[0]!.open),
        Math.max(...inDay.map((h) => Number(h.high))),
        Math.min(...inDay.map((h) => Number(h.low))),
        Number(inDay[23]!.close),
      ]);
    }
    expect(days.slice(1).map((d) => d.id * 1000)).toEqual(Array.from({ length: 29 }, (_, i) => sessionDay - (i + 1) * DAY));
  });
});
