import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Candle, LevelKind, type LevelSet } from '@pricelevel/contracts';
import { TIMEFRAME_MS, parseBarsCsv } from '@pricelevel/levels';
import { createChdbStore, silentLogger } from '@pricelevel/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLevelsCommand } from '../src/commands/levels.js';

// `pricelevel levels`: real Binance BTCUSDT daily candles (fixtures/ohlcv, 2017-08 … 2022) in a chDB store.
const FIXTURES = resolve(fileURLToPath(import.meta.url), '../../../../fixtures/ohlcv');
const dir = mkdtempSync(join(tmpdir(), 'pricelevel-levels-'));
const env = { PL_DATA_DIR: join(dir, 'data') };
const REF = { exchange: 'binance', market: 'spot', symbol: 'BTCUSDT' };

async function withStore<T>(fn: (store: Awaited<ReturnType<typeof createChdbStore>>) => Promise<T>): Promise<T> {
  const store = await createChdbStore({ path: join(env.PL_DATA_DIR, 'chdb'), logger: silentLogger });
  try {
    await store.migrate();
    return await fn(store);
  } finally {
    await store.close();
  }
}

function run(args: string[]) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString()));
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  return runLevelsCommand(args, env, { stdout: out, stderr: err }).then((code) => ({ code, stdout, stderr }));
}

beforeAll(async () => {
  const d1 = parseBarsCsv(readFileSync(join(FIXTURES, 'binance_spot_BTCUSDT_1d.csv'), 'utf8'));
  await withStore((store) => store.insertCandles(d1.map((b) => Candle.fromPartial({
    ...REF, interval: '1d', source: 'exchange', openTime: b.openTime, closeTime: b.openTime + TIMEFRAME_MS['1d'],
    open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume, version: 1, final: true,
  }))));
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pricelevel levels', () => {
  it('computes the levels from the stored candles when no set is stored, as a table around the current price', async () => {
    const r = await run(['--symbol', 'BTCUSDT']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^binance:spot:BTCUSDT {2}price \d+\.\d\d {2}ATR\(1d\) \d+\.\d\d {2}as of 20\d\d-/);
    expect(lines[2]).toMatch(/^kind +price +zone +score +touches/);
    const current = lines.findIndex((l) => l.includes('current price'));
    expect(current).toBeGreaterThan(2);
    expect(lines.slice(3, current).every((l) => l.startsWith('resistance'))).toBe(true);
    expect(lines.slice(current + 1).filter((l) => /^(support|resistance)/.test(l)).every((l) => l.startsWith('support'))).toBe(true);
    expect(r.stdout).toMatch(/support \*/);
  });

  it('prints the newest stored set, as JSON with --json', async () => {
    const set: LevelSet = {
      ...REF, version: 7, computedAt: Date.UTC(2022, 0, 1), currentPrice: 47_000, atr: 1500, nearestSupport: undefined, nearestResistance: undefined,
      levels: [{
        id: 'a', price: 46_000, zoneLow: 45_800, zoneHigh: 46_200, kind: LevelKind.LEVEL_KIND_SUPPORT, sources: [1], timeframes: ['1d'], touches: 5,
        bounces: 4, breaks: 1, falseBreakouts: 0, firstTouchTs: 0, lastTouchTs: 0, touchVolumeRatio: 1.4, score: 0.7, distanceAtr: -0.67,
      }],
    };
    await withStore((store) => store.insertLevelSets([set]));
    const r = await run(['--symbol', 'BTCUSDT', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ version: 7, currentPrice: 47_000, levels: [{ price: 46_000, touches: 5 }] });
    const table = await run(['--symbol', 'BTCUSDT']);
    expect(table.stdout).toMatch(/^support +46000\.00 +45800\.00–46200\.00 +0\.700 +5 +4 +1/m);
  });

  it('refuses bad arguments and says when there is nothing to show', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['--symbol', 'BTCUSDT', '--exchange', 'nowhere'])).code).toBe(2);
    expect((await run(['--symbol', 'BTCUSDT', '--market', 'spot', '--exchange', 'bingx'])).code).toBe(2);
    const none = await run(['--symbol', 'DOGEUSDT']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no levels and no daily candles stored for binance:spot:DOGEUSDT/);
  });
});
