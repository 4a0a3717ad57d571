import fs, { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import type { Candle } from '@pricelevel/contracts';
import { BingxSim, BybitSim, HtxSim, defaultFixturesDir } from '@pricelevel/exchange-sim';
import { createChdbStore, loadConfig, silentLogger, systemClock, type ClickHouseStore, type Clock } from '@pricelevel/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillOnStart } from '../src/index.js';

/**
 * The demo's start-up backfill (1h and 1d, 365 days) against Bybit, BingX and HTX simulators serving the
 * bundled real candles as history: every venue stores a year of real candles before the session (HTX as
 * far as its latest-2000 rule reaches), with closes equal to the CSV rows on the session timeline.
 */
const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 15, 10, 20, 30);
let t = T0;
const simClock = { now: () => t };
const clock: Clock = { now: () => t, setTimeout: systemClock.setTimeout, setInterval: systemClock.setInterval };

const dir = mkdtempSync(join(tmpdir(), 'pricelevel-backfill-history-'));
let store: ClickHouseStore;
let bybit: BybitSim;
let bingx: BingxSim;
let htx: HtxSim;

beforeAll(async () => {
  [store, bybit, bingx, htx] = await Promise.all([
    createChdbStore({ path: dir, database: 'backfill_history_test', logger: silentLogger }),
    BybitSim.start({ seed: 4, symbols: ['BTCUSDT'], autoTick: false, clock: simClock, history: {} }),
    BingxSim.start({ seed: 5, symbols: ['BTCUSDT'], autoTick: false, clock: simClock, history: {} }),
    HtxSim.start({ seed: 6, symbols: ['BTCUSDT'], autoTick: false, clock: simClock, history: {} }),
  ]);
  await store.migrate();
  t = T0 + 60_000;
  bybit.tick(10);
  bingx.tick(10);
  htx.tick(10);
}, 120_000);

afterAll(async () => {
  await Promise.all([store?.close(), bybit?.close(), bingx?.close(), htx?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

/** Closes of a fixture CSV by open time on the session timeline (the last 1h day lands on the session's day). */
function csvCloses(file: string): Map<number, number> {
  const ohlcv = path.join(defaultFixturesDir(), 'ohlcv');
  const read = (f: string) =>
    fs.readFileSync(path.join(ohlcv, f), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  let lastDay = -Infinity;
  for (const f of fs.readdirSync(ohlcv).filter((n) => n.endsWith('_1h.csv'))) {
    const rows = read(f);
    lastDay = Math.max(lastDay, Math.floor(Number(rows[rows.length - 1]![0]) / DAY) * DAY);
  }
  const shift = Math.floor(T0 / DAY) * DAY - lastDay;
  return new Map(read(file).map((r) => [Number(r[0]) + shift, Number(r[4])]));
}

async function stored(exchange: string, market: string, interval: '1h' | '1d'): Promise<Candle[]> {
  return store.queryCandles({ exchange, market, symbol: 'BTCUSDT', interval, source: 'exchange', fromTs: 0, toTs: T0 + DAY, limit: 100_000 });
}

describe('start-up backfill against venue simulators with history', () => {
  it('stores a year of real candles per venue, closes equal to the CSV rows', async () => {
    const config = loadConfig({
      PL_EXCHANGES: 'bybit,bingx,htx',
      PL_SYMBOLS: 'BTCUSDT',
      PL_BACKFILL_INTERVALS: '1h,1d',
      PL_BACKFILL_SINCE: '365d',
      BYBIT_REST_URL: bybit.urls.rest,
      BINGX_PERP_REST_URL: bingx.urls.perpRest,
      HTX_REST_URL: htx.urls.spotRest,
    });
    const handle = backfillOnStart({ config, store, clock, logger: silentLogger, minGapMs: { bybit: 0, bingx: 0, htx: 0 } });
    const outcomes = await handle.done;
    await handle.stop();
    expect([...new Set(outcomes.map((o) => `${o.exchange}:${o.market}`))].sort()).toEqual(['bingx:perp', 'bybit:perp', 'bybit:spot', 'htx:spot']);
    for (const o of outcomes) expect(o.error).toBeUndefined();

    const hours = csvCloses('binance_spot_BTCUSDT_1h.csv');
    const days = csvCloses('binance_spot_BTCUSDT_1d.csv');
    const sessionHour = Math.floor(T0 / HOUR) * HOUR;
    for (const [exchange, market] of [['bybit', 'spot'], ['bybit', 'perp'], ['bingx', 'perp'], ['htx', 'spot']] as const) {
      const h = await stored(exchange, market, '1h');
      const before = h.filter((c) => c.openTime < sessionHour);
      // HTX answers only its latest 2000 candles: 1999 closed hours of history reach back ~83 days.
      expect(before.length).toBeGreaterThanOrEqual(exchange === 'htx' ? 1999 : 364 * 24);
      for (const c of before) {
        const want = hours.get(c.openTime);
        expect(want, `${exchange}:${market} ${c.openTime}`).toBeDefined();
        expect(Math.abs(c.close - want!)).toBeLessThanOrEqual(0.0501); // BingX BTC prices have 1 decimal (half-up)
      }
      const d = await stored(exchange, market, '1d');
      expect(d.length).toBeGreaterThanOrEqual(364);
      // HTX days start at 16:00 UTC (rolled up from the real hours); the others are the real daily candles.
      if (exchange === 'htx') expect(d.every((c) => (c.openTime + 8 * HOUR) % DAY === 0)).toBe(true);
      else for (const c of d) expect(Math.abs(c.close - days.get(c.openTime)!)).toBeLessThanOrEqual(0.0501);
    }
  }, 120_000);
});
