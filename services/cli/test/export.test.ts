import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { BookFeatures, Completeness, OrderFlow, type BookSnapshot } from '@pricelevel/contracts';
import { FEATURE_CSV_COLUMNS, SEQUENCE_FEATURE_NAMES, TIMESTEP_FEATURES, normalizeSnapshot } from '@pricelevel/market';
import { createChdbStore, silentLogger } from '@pricelevel/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExportCommand } from '../src/commands/export.js';
import { CLI_MAIN } from './helpers.js';

/**
 * `pricelevel export` against a real chDB store in a temp dir holding five minutes of snapshots, book
 * features and 1 s order flows of two symbols. BTCUSDT misses one second (k = 100) and has one
 * resyncing snapshot (k = 200); ETHUSDT is complete but only 40 levels deep. The range starts 3590 s
 * before the data so the hour pages split it at k = 10 and windows must run across the page boundary.
 * The .npy files are checked with numpy itself.
 */
const S = 1000;
const T0 = Date.UTC(2024, 0, 1, 0, 57, 30);
const SECONDS = 300;
const FROM = T0 - 3590 * S;
const TO = T0 + SECONDS * S;
const dir = mkdtempSync(join(tmpdir(), 'pricelevel-cli-export-'));
const out = join(dir, 'out');
const env = { PL_DATA_DIR: join(dir, 'data'), PL_LOG_LEVEL: 'info' };

const missing = (symbol: string, k: number) => symbol === 'BTCUSDT' && k === 100;
const hasFlow = (k: number) => k % 7 !== 4;

function snapshot(symbol: string, k: number): BookSnapshot {
  const btc = symbol === 'BTCUSDT';
  const levels = btc ? 120 : 40;
  const mid = btc ? 42_000 + Math.sin(k / 10) * 20 : 2_250 + k * 0.05;
  const tick = btc ? 0.5 : 0.01;
  return {
    exchange: 'binance', market: 'spot', symbol, ts: T0 + k * S, resyncing: btc && k === 200, bookEpoch: 1, lastUpdateId: 1_000 + k, bookTs: T0 + k * S - 13,
    bidPrices: Array.from({ length: levels }, (_, i) => mid - tick / 2 - i * tick),
    bidSizes: Array.from({ length: levels }, (_, i) => (btc ? 0.01 : 1) * (1 + ((i * 7 + k) % 11))),
    askPrices: Array.from({ length: levels }, (_, i) => mid + tick / 2 + i * tick),
    askSizes: Array.from({ length: levels }, (_, i) => (btc ? 0.01 : 1) * (2 + ((i * 5 + k) % 13))),
  };
}

function features(symbol: string, k: number): BookFeatures {
  return BookFeatures.fromPartial({
    exchange: 'binance', market: 'spot', symbol, ts: T0 + k * S, resyncing: symbol === 'BTCUSDT' && k === 200,
    bidLevels: 100, askLevels: symbol === 'BTCUSDT' ? 100 : 40, midPrice: 42_000 + k / 4, spread: 0.1 * (1 + (k % 3)),
    volumeImbalance: (k % 9) / 10 - 0.4, priceChange1s: k === 0 ? Number.NaN : 0.25, priceVolatility30s: k < 30 ? Number.NaN : k / 1000,
  });
}

function flow(symbol: string, k: number): OrderFlow {
  return OrderFlow.fromPartial({
    exchange: 'binance', market: 'spot', symbol, interval: '1s', openTime: T0 + (k - 1) * S, closeTime: T0 + k * S,
    tradeCount: k, buyVolume: k * 0.125, sellVolume: 0.5, delta: k * 0.125 - 0.5, vwap: 42_000 + k / 8, footprintStep: 0.5,
    footprint: [{ price: 42_000, buyVolume: 1, sellVolume: 2, buyImbalanceRatio: 0, sellImbalanceRatio: 0, buyImbalance: false, sellImbalance: false }],
    nearestBidWallPrice: Number.NaN, nearestAskWallPrice: 42_010, liquidationCompleteness: Completeness.COMPLETENESS_SAMPLED, panicIndex: -1.5,
  });
}

beforeAll(async () => {
  const store = await createChdbStore({ path: join(env.PL_DATA_DIR, 'chdb'), logger: silentLogger });
  try {
    await store.migrate();
    for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
      const ks = Array.from({ length: SECONDS }, (_, k) => k).filter((k) => !missing(symbol, k));
      await store.insertBookSnapshots(ks.map((k) => snapshot(symbol, k)));
      await store.insertBookFeatures(ks.map((k) => features(symbol, k)));
      await store.insertOrderFlows(ks.filter(hasFlow).map((k) => flow(symbol, k)));
      // A 1 m flow closing at a row's second must not be joined as its 1 s flow.
      await store.insertOrderFlows([{ ...flow(symbol, 61), interval: '1m', openTime: T0 + S, closeTime: T0 + 61 * S, tradeCount: 999_999 }]);
    }
  } finally {
    await store.close();
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(tty = false) {
  const stream = Object.assign(new PassThrough(), { isTTY: tty, columns: 200 });
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

async function run(args: string[], tty = false, signal?: AbortSignal) {
  const stdout = capture();
  const stderr = capture(tty);
  // On a terminal without PL_LOG_LEVEL only warnings are logged: the bar has the line to itself.
  const runEnv = tty ? { PL_DATA_DIR: env.PL_DATA_DIR } : env;
  const code = await runExportCommand(args, runEnv, { stdout: stdout.stream, stderr: stderr.stream, ...(signal ? { signal } : {}) });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

const range = ['--from', new Date(FROM).toISOString(), '--to', String(TO)];

/** numpy.load: dtype, shape and the flattened values of the chosen samples (first axis). */
function numpySamples(path: string, samples: number[]): { dtype: string; shape: number[]; samples: number[][] } {
  const script = [
    'import json, sys, numpy',
    'a = numpy.load(sys.argv[1])',
    'picks = json.loads(sys.argv[2])',
    'print(json.dumps({"dtype": a.dtype.str, "shape": list(a.shape), "samples": [a[i].ravel().tolist() for i in picks]}))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', script, path, JSON.stringify(samples)], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`numpy.load failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { dtype: string; shape: number[]; samples: number[][] };
}

/** The window ending at second `end`, as the tensor must hold it. */
function expectedWindow(symbol: string, end: number, timesteps: number): number[] {
  const data = new Float32Array(timesteps * TIMESTEP_FEATURES);
  for (let i = 0; i < timesteps; i++) normalizeSnapshot(snapshot(symbol, end - timesteps + 1 + i), data, i * TIMESTEP_FEATURES);
  return [...data];
}

describe('pricelevel export', () => {
  it('refuses bad arguments with a clear message and exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--from', '2024-01-01', '--to', '2024-01-02', '--format', 'csv'], /--symbol is required/],
      [['--symbol', 'BTCUSDT', '--from', '2024-01-02', '--to', '2024-01-01', '--format', 'csv'], /--to \(2024-01-01T00:00:00.000Z\) must be after --from \(2024-01-02T00:00:00.000Z\)/],
      [['--symbol', 'BTCUSDT', '--from', '2024-01-01', '--to', '2024-01-01', '--format', 'csv'], /--to .* must be after --from/],
      [['--symbol', 'BTCUSDT', '--from', '2024-01-01', '--to', '2024-01-02', '--format', 'parquet'], /unknown format "parquet"; csv or npy/],
      [['--symbol', 'BTCUSDT', '--from', '2024-01-01', '--to', '2024-01-02'], /--format is required/],
      [['--symbol', 'BTCUSDT', '--to', '2024-01-02', '--format', 'csv'], /--from is required/],
      [['--symbol', 'BTCUSDT', '--from', 'yesterday', '--to', '2024-01-02', '--format', 'csv'], /--from: cannot read "yesterday"/],
      [['--symbol', 'BTCUSDT', '--exchange', 'kraken', '--from', '2024-01-01', '--to', '2024-01-02', '--format', 'csv'], /unknown exchange "kraken"/],
      [['--symbol', 'BTCUSDT', '--exchange', 'htx', '--market', 'perp', '--from', '2024-01-01', '--to', '2024-01-02', '--format', 'csv'], /htx has no perp market/],
      [['--symbol', 'BTCUSDT', '--from', '2024-01-01', '--to', '2024-01-02', '--format', 'npy', '--timesteps', '0'], /--timesteps must be a positive integer, got "0"/],
      [['--symbol', 'BTCUSDT', '--from', '2024-01-01', '--to', '2024-01-02', '--format', 'npy', '--stride', '2.5'], /--stride must be a positive integer/],
      [['--symbol', 'BTCUSDT', '--from', '2024-01-01', '--to', '2024-01-02', '--format', 'csv', '--stride', '5'], /apply to --format npy only/],
      [['--symbol', 'BTCUSDT,BTCUSDT', '--from', '2024-01-01', '--to', '2024-01-02', '--format', 'csv'], /lists a symbol twice/],
      [['--symbol', 'BTCUSDT', '--from', '2024-01-01', '--to', '2024-01-02', '--format', 'csv', '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain('usage: pricelevel export');
    }
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--format csv');
  });

  it('writes the feature CSV of two symbols: one row per second, joined with the 1 s flow closing at it', async () => {
    const path = join(dir, 'features.csv');
    const r = await run(['--symbol', 'BTCUSDT,ETHUSDT', ...range, '--format', 'csv', '--out', path]);
    expect(r.stderr).not.toMatch(/pricelevel export:/);
    expect(r.code).toBe(0);
    const btcFlows = Array.from({ length: SECONDS }, (_, k) => k).filter((k) => !missing('BTCUSDT', k) && hasFlow(k)).length;
    expect(r.stdout).toContain(`binance:spot:BTCUSDT  299 rows (${btcFlows} with order flow)`);
    expect(r.stdout).toContain(`wrote 599 rows to ${path}`);
    const [header, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(header!.split(',')).toEqual(FEATURE_CSV_COLUMNS);
    expect(lines).toHaveLength(299 + 300);
    const rows = lines.map((l) => l.split(','));
    const col = (name: string) => FEATURE_CSV_COLUMNS.indexOf(name);
    // Grouped per symbol in the order given, each by time, the missing second absent.
    expect(rows.slice(0, 299).every((x) => x[2] === 'BTCUSDT')).toBe(true);
    expect(rows.slice(299).every((x) => x[2] === 'ETHUSDT')).toBe(true);
    const btcTs = rows.slice(0, 299).map((x) => Number(x[col('ts')]));
    expect(btcTs).toEqual(Array.from({ length: SECONDS }, (_, k) => k).filter((k) => k !== 100).map((k) => T0 + k * S));

    const at = (symbol: string, k: number) => rows.find((x) => x[2] === symbol && Number(x[3]) === T0 + k * S)!;
    const row = at('BTCUSDT', 10); // the first second of the second page; its flow opened in the first
    expect(row.slice(0, 4)).toEqual(['binance', 'spot', 'BTCUSDT', String(T0 + 10 * S)]);
    expect(row[col('mid_price')]).toBe('42002.5');
    expect(row[col('spread')]).toBe(String(0.1 * 2));
    expect(row[col('price_volatility_30s')]).toBe(''); // NaN
    expect(row[col('trade_count')]).toBe('10');
    expect(row[col('delta')]).toBe('0.75');
    expect(row[col('nearest_bid_wall_price')]).toBe('');
    expect(row[col('nearest_ask_wall_price')]).toBe('42010');
    expect(row[col('liquidation_completeness')]).toBe('sampled');
    expect(row[col('panic_index')]).toBe('-1.5');
    expect(at('BTCUSDT', 200)[col('resyncing')]).toBe('true');
    expect(at('ETHUSDT', 0)[col('price_change_1s')]).toBe('');
    expect(at('ETHUSDT', 0)[col('ask_levels')]).toBe('40');
    // Seconds 4 and 11 (k % 7 = 4) have no 1 s flow: every flow column is empty.
    const flowStart = col('trade_count');
    expect(at('ETHUSDT', 4).slice(flowStart).every((v) => v === '')).toBe(true);
    expect(at('BTCUSDT', 11).slice(flowStart).every((v) => v === '')).toBe(true);
    // The 1 m flow closing at second 61 is not the second's flow.
    expect(at('ETHUSDT', 61)[col('trade_count')]).toBe('61');
    expect(readdirSync(dir).some((f) => f.endsWith('.partial'))).toBe(false);
  });

  it('writes the sequence tensor of two symbols with its sidecar and window-end timestamps, as numpy reads them', async () => {
    const r = await run(['--symbol', 'BTCUSDT,ETHUSDT', ...range, '--format', 'npy', '--out', `${out}.npy`, '--timesteps', '30', '--stride', '10']);
    expect(r.stderr).not.toMatch(/pricelevel export:/);
    expect(r.code).toBe(0);
    // BTCUSDT runs 0-99, 101-199, 201-299 → 8 + 7 + 7 windows; ETHUSDT 0-299 → 28.
    expect(r.stdout).toContain('binance:spot:BTCUSDT  samples [0, 22)  299 snapshots, 1 gaps, 1 resyncing, 0 unusable');
    expect(r.stdout).toContain('binance:spot:ETHUSDT  samples [22, 50)  300 snapshots, 0 gaps, 0 resyncing, 0 unusable');
    expect(r.stdout).toContain(`wrote 50 samples, shape (50, 30, 400) float32, to ${out}.npy`);

    const sidecar = JSON.parse(readFileSync(`${out}.json`, 'utf8')) as Record<string, unknown>;
    expect(sidecar).toMatchObject({
      format: 'npy', dtype: '<f4', shape: [50, 30, 400], timesteps: 30, stride: 10, step_ms: 1000, data_file: 'out.npy', from: FROM, to: TO,
      symbols: [
        { exchange: 'binance', market: 'spot', symbol: 'BTCUSDT', start: 0, end: 22 },
        { exchange: 'binance', market: 'spot', symbol: 'ETHUSDT', start: 22, end: 50 },
      ],
      window_end_ts: { file: 'out.window_end_ts.npy', dtype: '<i8', shape: [50] },
    });
    expect(sidecar.features).toEqual(SEQUENCE_FEATURE_NAMES);
    expect(JSON.stringify(sidecar.normalization)).toMatch(/\(price - mid\) \/ mid/);

    const ends = [
      ...[29, 39, 49, 59, 69, 79, 89, 99, 130, 140, 150, 160, 170, 180, 190, 230, 240, 250, 260, 270, 280, 290],
      ...Array.from({ length: 28 }, (_, i) => 29 + 10 * i),
    ];
    const ts = numpySamples(`${out}.window_end_ts.npy`, ends.map((_, i) => i));
    expect(ts).toMatchObject({ dtype: '<i8', shape: [50] });
    expect(ts.samples.flat()).toEqual(ends.map((k) => T0 + k * S));

    // Sample 0 straddles the page boundary at k = 10; sample 8 is the first after the gap; 22 is ETHUSDT's first.
    const np = numpySamples(`${out}.npy`, [0, 8, 21, 22, 49]);
    expect(np.dtype).toBe('<f4');
    expect(np.shape).toEqual([50, 30, 400]);
    expect(np.samples[0]).toEqual(expectedWindow('BTCUSDT', 29, 30));
    expect(np.samples[1]).toEqual(expectedWindow('BTCUSDT', 130, 30));
    expect(np.samples[2]).toEqual(expectedWindow('BTCUSDT', 290, 30));
    expect(np.samples[3]).toEqual(expectedWindow('ETHUSDT', 29, 30));
    expect(np.samples[4]).toEqual(expectedWindow('ETHUSDT', 299, 30));
    // Spot checks by hand: ETHUSDT's book is 40 levels deep, the rest is 0; sizes are relative to the mean.
    const eth = np.samples[3]!;
    const s0 = snapshot('ETHUSDT', 0);
    const mid = (s0.bidPrices[0]! + s0.askPrices[0]!) / 2;
    const mean = [...s0.bidSizes, ...s0.askSizes].reduce((a, b) => a + b, 0) / 80;
    expect(eth[0]).toBe(Math.fround((s0.bidPrices[0]! - mid) / mid));
    expect(eth[300 + 39]).toBe(Math.fround(s0.askSizes[39]! / mean));
    expect(eth.slice(40, 100).every((v) => v === 0)).toBe(true);
    expect(eth.slice(340, 400).every((v) => v === 0)).toBe(true);
  });

  it('defaults to 60 timesteps and stride 10 and names the files after --out without .npy', async () => {
    const base = join(dir, 'eth-default');
    const r = await run(['--symbol', 'ETHUSDT', ...range, '--format', 'npy', '--out', base]);
    expect(r.code).toBe(0);
    expect(numpySamples(`${base}.npy`, []).shape).toEqual([25, 60, 400]); // (300 - 60) / 10 + 1
    expect(existsSync(`${base}.json`) && existsSync(`${base}.window_end_ts.npy`)).toBe(true);
  });

  it('fails with exit code 1 and leaves no file when there is no data or no complete window', async () => {
    const empty = await run(['--symbol', 'SOLUSDT', ...range, '--format', 'csv', '--out', join(dir, 'none.csv')]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/no data: the store has no book features for binance:spot:SOLUSDT in \[/);
    expect(existsSync(join(dir, 'none.csv'))).toBe(false);

    const short = await run(['--symbol', 'BTCUSDT', ...range, '--format', 'npy', '--out', join(dir, 'short.npy'), '--timesteps', '101']);
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/no complete sample: 299 snapshots found but no run of 101 consecutive in-sync seconds \(binance:spot:BTCUSDT: 299 snapshots, 1 gaps, 1 resyncing/);
    expect(readdirSync(dir).filter((f) => f.startsWith('none') || f.startsWith('short'))).toEqual([]);
  });

  it('stops with exit code 130 on an interrupt and leaves nothing behind', async () => {
    const abort = new AbortController();
    abort.abort();
    const r = await run(['--symbol', 'BTCUSDT', ...range, '--format', 'npy', '--out', join(dir, 'stopped.npy')], false, abort.signal);
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('interrupted: nothing was written');
    expect(readdirSync(dir).filter((f) => f.startsWith('stopped'))).toEqual([]);
  });

  it('draws one bar redrawn in place on a terminal', async () => {
    const r = await run(['--symbol', 'BTCUSDT,ETHUSDT', ...range, '--format', 'csv', '--out', join(dir, 'tty.csv')], true);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('\r\u001b[2K[');
    expect(r.stderr).toMatch(/\[#{24}\] 100% {2}binance:spot:ETHUSDT {2}2024-01-01T01:02:30.000Z {2}599 rows\n$/);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1); // one line, redrawn
  });

  it('runs as its own process: log lines about every tenth off a terminal, the CSV on disk, exit code 0', async () => {
    const path = join(dir, 'child.csv');
    const child = spawn(process.execPath, [CLI_MAIN, 'export', '--symbol', 'ETHUSDT', ...range, '--format', 'csv', '--out', path], {
      env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(stderr).not.toContain('\r');
    const msgs = stderr.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { msg: string }).msg).filter((m) => m.startsWith('export'));
    // Two hour pages: the first reaches 92 % of the range, the second the end.
    expect(msgs).toEqual(['export 90%', 'export 100%', 'export finished']);
    expect(stdout).toContain(`wrote 300 rows to ${path}`);
    expect(readFileSync(path, 'utf8').trimEnd().split('\n')).toHaveLength(301);
  });
});
