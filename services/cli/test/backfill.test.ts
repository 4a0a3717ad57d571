import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { BinanceSimulator } from '@pricelevel/exchange-sim';
import { createChdbStore, silentLogger } from '@pricelevel/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackfillCommand } from '../src/commands/backfill.js';
import { CLI_MAIN } from './helpers.js';

/**
 * `pricelevel backfill` as a user runs it: the built CLI in its own process against the Binance
 * simulator on loopback, into chDB in a temp dir; then the same data read back and compared with
 * the simulator's klines. Bad arguments are refused before anything is opened.
 */
const H = 3_600_000;
const D = 24 * H;
const dir = mkdtempSync(join(tmpdir(), 'pricelevel-cli-backfill-'));
let sim: BinanceSimulator;
let env: Record<string, string>;

beforeAll(async () => {
  sim = await BinanceSimulator.start({ seed: 11, symbols: ['BTCUSDT'], markets: ['spot'], autoTick: false, history: {} });
  env = { PL_DATA_DIR: dir, BINANCE_SPOT_REST_URL: sim.urls.spotRest, PL_LOG_LEVEL: 'info' };
});

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

function runChild(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_MAIN, 'backfill', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function capture(tty = false) {
  const stream = Object.assign(new PassThrough(), { isTTY: tty, columns: 200 });
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

async function simKlines(interval: string, startTime: number, endTime: number): Promise<number[][]> {
  const res = await fetch(`${sim.urls.spotRest}/api/v3/klines?symbol=BTCUSDT&interval=${interval}&startTime=${startTime}&endTime=${endTime}&limit=1000`);
  return ((await res.json()) as unknown[][]).map((r) => [r[0], r[1], r[2], r[3], r[4], r[5], r[7], r[8]].map(Number));
}

describe('pricelevel backfill', () => {
  it('refuses bad arguments with a clear message and exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--symbol', 'BTCUSDT', '--interval', '1h'], /--exchange is required/],
      [['--exchange', 'kraken', '--symbol', 'BTCUSDT', '--interval', '1h'], /unknown exchange "kraken"/],
      [['--exchange', 'htx', '--market', 'perp', '--symbol', 'BTCUSDT', '--interval', '1h'], /htx has no perp market/],
      [['--exchange', 'binance', '--symbol', 'BTCUSDT', '--interval', '2h'], /unknown interval "2h"/],
      [['--exchange', 'binance', '--interval', '1h'], /--symbol is required/],
      [['--exchange', 'binance', '--symbol', 'BTCUSDT', '--interval', '1h', '--since', 'yesterday'], /--since: cannot read "yesterday"/],
      [['--exchange', 'binance', '--symbol', 'BTCUSDT', '--interval', '1h', '--since', '2024-02-01', '--until', '2024-01-01'], /--until must be after --since/],
      [['--exchange', 'binance', '--symbol', 'BTCUSDT', '--interval', '1h', '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const out = capture();
      const err = capture();
      expect(await runBackfillCommand(args, env, { stdout: out.stream, stderr: err.stream })).toBe(2);
      expect(err.text()).toMatch(message);
      expect(err.text()).toContain('usage: pricelevel backfill');
    }
  });

  it('stops on an interrupt with exit code 130, and the same command resumes', async () => {
    const args = ['--exchange', 'binance', '--market', 'spot', '--symbol', 'BTCUSDT', '--interval', '4h', '--since', '600d'];
    const abort = new AbortController();
    let requests = 0;
    const interrupting: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (++requests === 2) abort.abort(); // as if Ctrl-C came during the second page
      return res;
    };
    const err = capture();
    expect(await runBackfillCommand(args, env, { stdout: capture().stream, stderr: err.stream, signal: abort.signal, fetch: interrupting })).toBe(130);
    expect(err.text()).toMatch(/interrupted: .* run the same command again to resume/);

    const out = capture();
    let resumed = 0;
    const counting: typeof fetch = async (input, init) => (resumed++, fetch(input, init));
    expect(await runBackfillCommand(args, env, { stdout: out.stream, stderr: capture().stream, fetch: counting })).toBe(0);
    // The first page (1000 candles) stayed; the rerun fetched only the rest of the 600 days.
    const m = /binance:spot:BTCUSDT 4h {2}stored (\d+) candles in 3 requests/.exec(out.text());
    expect(Number(m?.[1])).toBeGreaterThan(2590);
    expect(Number(m?.[1])).toBeLessThan(2600);
    expect(resumed).toBe(3);
  });

  it('backfills the venue klines in its own process, logs plain progress lines off a terminal, and a rerun fetches nothing', async () => {
    const startedAt = Date.now();
    const since = startedAt - 120 * H;
    const first = await runChild(['--exchange', 'binance', '--market', 'spot', '--symbol', 'BTCUSDT', '--interval', '1h', '--since', String(since)]);
    expect(first.stderr).not.toContain('\r'); // no bar when stderr is a pipe
    expect(first.code).toBe(0);
    const stored = /binance:spot:BTCUSDT 1h {2}stored (\d+) candles in (\d+) requests/.exec(first.stdout);
    expect(stored).not.toBeNull();
    const logs = first.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string });
    expect(logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['backfill started', 'backfill finished']));

    const second = await runChild(['--exchange', 'binance', '--market', 'spot', '--symbol', 'BTCUSDT', '--interval', '1h', '--since', String(since)]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/binance:spot:BTCUSDT 1h {2}up to date \(0 requests\)/);

    // A terminal gets a bar redrawn in place (in-process, stderr posing as a TTY).
    const out = capture();
    const err = capture(true);
    expect(await runBackfillCommand(['--exchange', 'binance', '--market', 'spot', '--symbol', 'BTCUSDT', '--interval', '1d', '--since', '20d'], env, { stdout: out.stream, stderr: err.stream })).toBe(0);
    expect(err.text()).toContain('\r\u001b[2K['); // carriage return + erase line: redrawn in place
    expect(err.text()).toMatch(/\[#+-*\] +\d+% {2}binance:spot:BTCUSDT 1d/);
    expect(out.text()).toMatch(/binance:spot:BTCUSDT 1d {2}stored \d+ candles in 1 requests/);

    const store = await createChdbStore({ path: join(dir, 'chdb'), logger: silentLogger });
    try {
      const q = { exchange: 'binance', market: 'spot', symbol: 'BTCUSDT', source: 'exchange', fromTs: 0, toTs: Date.now() + D, limit: 10_000 };
      const hours = await store.queryCandles({ ...q, interval: '1h' });
      expect(hours.length).toBe(Number(stored![1]));
      const last = hours[hours.length - 1]!.openTime;
      // Everything closed when the first run started, nothing still open when it ended.
      expect(last + 2 * H).toBeGreaterThan(startedAt);
      expect(last + H).toBeLessThanOrEqual(Date.now());
      const rows = hours.map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume, c.quoteVolume, c.tradeCount]);
      expect(rows).toEqual(await simKlines('1h', since, last));
      expect(hours.every((c) => c.final && c.version === 1)).toBe(true);
      const days = await store.queryCandles({ ...q, interval: '1d' });
      expect(days.length).toBeGreaterThanOrEqual(19);
      expect(days.map((c) => c.openTime)).toEqual((await simKlines('1d', days[0]!.openTime, days[days.length - 1]!.openTime)).map((r) => r[0]));
    } finally {
      await store.close();
    }
  });
});
