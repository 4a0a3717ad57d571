import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Candle } from '@pricelevel/contracts';
import { BARS_CSV_HEADER, TIMEFRAME_MS, parseBarsCsv, type Bar } from '@pricelevel/levels';
import { createChdbStore, silentLogger } from '@pricelevel/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLevelsEvaluate } from '../src/commands/levels-evaluate.js';

/**
 * `pricelevel levels evaluate` on small files cut from the real Binance BTCUSDT candles (fixtures/ohlcv):
 * 1d and 4h bars of 2018-01-01 … 2019-07-01 (546 and 3262: the venue's 4h series has gaps), and the same bars in a chDB store (1d as candles built from
 * trades, 4h as venue klines) to check the store path reads exactly what the files hold.
 */
const FIXTURES = resolve(fileURLToPath(import.meta.url), '../../../../fixtures/ohlcv');
const START = Date.UTC(2018, 0, 1);
const END = Date.UTC(2019, 6, 1);
const dir = mkdtempSync(join(tmpdir(), 'pricelevel-levels-evaluate-'));
const env = { PL_DATA_DIR: join(dir, 'data') };
const file = (tf: string) => join(dir, `btc_${tf}.csv`);

function cut(tf: '1d' | '4h'): Bar[] {
  const bars = parseBarsCsv(readFileSync(join(FIXTURES, `binance_spot_BTCUSDT_${tf}.csv`), 'utf8'));
  return bars.filter((b) => b.openTime >= START && b.openTime < END);
}

function candles(bars: Bar[], tf: '1d' | '4h', source: string): Candle[] {
  return bars.map((b) => Candle.fromPartial({
    exchange: 'binance', market: 'spot', symbol: 'BTCUSDT', interval: tf, openTime: b.openTime, closeTime: b.openTime + TIMEFRAME_MS[tf],
    open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume, version: 1, final: true, source,
  }));
}

beforeAll(async () => {
  const d1 = cut('1d');
  const h4 = cut('4h');
  for (const [tf, bars] of [['1d', d1], ['4h', h4]] as const) {
    writeFileSync(file(tf), `${BARS_CSV_HEADER}\n${bars.map((b) => [b.openTime, b.open, b.high, b.low, b.close, b.volume].join(',')).join('\n')}\n`);
  }
  writeFileSync(file('bad'), `${BARS_CSV_HEADER}\n1514764800000,1,2,0.5,1.5,10\n1514764800000,1,2,0.5,1.5,10\n`);
  const store = await createChdbStore({ path: join(env.PL_DATA_DIR, 'chdb'), logger: silentLogger });
  try {
    await store.migrate();
    await store.insertCandles(candles(d1, '1d', 'trades'));
    await store.insertCandles(candles(h4, '4h', 'exchange'));
  } finally {
    await store.close();
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

async function run(args: string[]) {
  const stdout = capture();
  const stderr = capture();
  const code = await runLevelsEvaluate(args, env, { stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

const base = ['--symbol', 'BTCUSDT', '--interval', '1d', '--from', '2018-07-01', '--to', '2019-07-01'];
const files = ['--candles-1d', file('1d'), '--candles-4h', file('4h')];

describe('pricelevel levels evaluate', () => {
  let fromFiles: Record<string, unknown>;

  it('evaluates the levels of candle files and prints the result as JSON', async () => {
    const r = await run([...base, ...files, '--json']);
    expect(r.stderr).toBe('note: no --candles-1h: the levels are detected without 1h bars\n');
    expect(r.code).toBe(0);
    fromFiles = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const k of ['bounce_rate', 'random_bounce_rate', 'lift', 'lift_ci_low', 'lift_ci_high', 'round_bounce_rate']) {
      expect(typeof fromFiles[k], k).toBe('number');
    }
    expect(fromFiles).toMatchObject({
      exchange: 'binance', market: 'spot', symbol: 'BTCUSDT', interval: '1d', step_bars: 1, horizon_bars: 10, random_draws: 200, seed: 1,
      candles: { '1d': { source: file('1d'), bars: 546 }, '4h': { source: file('4h'), bars: 3262 } },
    });
    // One step per day from 2018-07-01 to the last bar with 10 bars after it before 2019-07-01.
    expect(fromFiles.steps).toBe(365 - 10);
    expect(fromFiles.touches).toBeGreaterThan(20);
    expect(fromFiles.lift_ci_low as number).toBeLessThanOrEqual(fromFiles.lift_ci_high as number);
    expect(Array.isArray(fromFiles.by_score_decile)).toBe(true);
  });

  it('is deterministic for a seed', async () => {
    const again = await run([...base, ...files, '--json', '--seed', '1']);
    expect(JSON.parse(again.stdout)).toEqual(fromFiles);
    const other = JSON.parse((await run([...base, ...files, '--json', '--seed', '2'])).stdout) as Record<string, unknown>;
    expect(other.touches).toBe(fromFiles.touches);
    expect(other.random_bounce_rate).not.toBe(fromFiles.random_bounce_rate);
  });

  it('reads the same bars from the store: venue klines, else candles built from trades', async () => {
    const r = await run([...base, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const fromStore = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(fromStore.candles).toEqual({ '1d': { source: 'trades', bars: 546 }, '4h': { source: 'exchange', bars: 3262 } });
    expect({ ...fromStore, candles: undefined }).toEqual({ ...fromFiles, candles: undefined });
  });

  it('prints a table by default', async () => {
    const r = await run([...base, ...files, '--interval', '4h', '--step', '12', '--horizon', '18', '--bounce-multiple', '0.5']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^binance:spot:BTCUSDT 4h {2}2018-07-01T00:00:00.000Z → 2019-07-01T00:00:00.000Z/);
    expect(r.stdout).toMatch(/steps \d+ \(every 12 bars\), horizon 18 bars, bounce ≥ 0.5 zone width, 200 random draws, seed 1/);
    expect(r.stdout).toMatch(/\ndetector +\d+ +0\.\d{3} +\(\d+ bounces, \d+ breaks, \d+ unresolved\)/);
    expect(r.stdout).toMatch(/\nrandom \(per draw\) +\d+ +0\.\d{3}/);
    expect(r.stdout).toMatch(/\nlift \d\.\d{3} {2}95 % CI \[\d\.\d{3}, \d\.\d{3}\]/);
    expect(r.stdout).toMatch(/\nby_score_decile +touches +bounce_rate\n {2}D1 /);
  });

  it('refuses bad arguments with a clear message and exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--interval', '1d', '--from', '2019-01-01', '--to', '2019-02-01'], /--symbol is required/],
      [['--symbol', 'BTCUSDT', '--from', '2019-01-01', '--to', '2019-02-01'], /--interval is required/],
      [['--symbol', 'BTCUSDT', '--interval', '15m', '--from', '2019-01-01', '--to', '2019-02-01'], /--interval must be 1d, 4h or 1h, got "15m"/],
      [['--symbol', 'BTCUSDT', '--interval', '1d', '--to', '2019-02-01'], /--from is required/],
      [['--symbol', 'BTCUSDT', '--interval', '1d', '--from', '2019-02-01', '--to', '2019-01-01'], /--to .* must be after --from/],
      [['--symbol', 'BTCUSDT', '--interval', '1d', '--from', 'soon', '--to', '2019-01-01'], /--from: cannot read "soon"/],
      [[...base, '--draws', '50'], /--draws must be at least 200, got 50/],
      [[...base, '--draws', 'many'], /--draws must be an integer/],
      [[...base, '--step', '0'], /--step must be an integer ≥ 1, got "0"/],
      [[...base, '--horizon', '2.5'], /--horizon must be an integer/],
      [[...base, '--bounce-multiple', '0'], /--bounce-multiple must be a number > 0/],
      [[...base, '--seed=-3'], /--seed must be an integer ≥ 0/],
      [[...base, '--exchange', 'kraken'], /unknown exchange "kraken"/],
      [[...base, '--exchange', 'htx', '--market', 'perp'], /htx has no perp market/],
      [[...base, '--candles-4h', file('4h')], /--candles-1d is required with candle files/],
      [[...base, '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).toContain('usage: pricelevel levels evaluate');
      expect(r.stdout).toBe('');
    }
  });

  it('fails with exit code 1 on unreadable or malformed files and on missing data', async () => {
    const missing = await run([...base, '--candles-1d', join(dir, 'nope.csv')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/--candles-1d: cannot read .*nope\.csv/);
    const bad = await run([...base, '--candles-1d', file('bad')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--candles-1d .*btc_bad\.csv: line 3: open_time_ms 1514764800000 is not after the previous row/);
    const none = await run(['--symbol', 'ETHUSDT', '--interval', '1d', '--from', '2019-01-01', '--to', '2019-02-01']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no data: the store has no 1d candles of binance:spot:ETHUSDT/);
    const early = await run(['--symbol', 'BTCUSDT', '--interval', '1d', '--from', '2017-01-01', '--to', '2017-06-01', ...files]);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/no data: no 1d bar of binance:spot:BTCUSDT closes in/);
  });

  it('prints its usage on --help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('usage: pricelevel levels evaluate');
  });
});
