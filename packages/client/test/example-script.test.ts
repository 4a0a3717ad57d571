import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { BTC, candle, levelSet, MIN, T0, waitFor } from './support/fixtures.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const SCRIPT = fileURLToPath(new URL('../../../examples/nearest-levels.mjs', import.meta.url));
let g: TestGateway | undefined;

afterEach(async () => {
  await g?.stop();
  g = undefined;
});

/** Runs the example against `g`; `out` fills as it prints. */
function run(g: TestGateway, seconds: number) {
  const child = spawn(process.execPath, [SCRIPT, '--grpc', g.grpcAddress, '--ws', g.wsUrl, '--seconds', String(seconds)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out, exited };
}

describe('examples/nearest-levels.mjs', () => {
  it('lists instruments, prints the nearest levels, follows live candles, and exits', async () => {
    g = await startTestGateway();
    await g.publish('levels.v1', levelSet(BTC, 3));
    await waitFor(() => g?.gateway.metrics().busLevelSets === 1, 'the level set');
    const { out, exited } = run(g, 3);
    await waitFor(() => out.stdout.includes('following candles:binance:spot:BTCUSDT:1m') || out.stderr !== '', 'the script to subscribe');
    expect(out.stderr).toBe('');
    await g.publish('agg.candle.v1', candle(BTC, '1m', T0 + 30 * MIN, { close: 104, final: false }), candle(BTC, '1m', T0 + 30 * MIN, { close: 106, version: 2 }));
    expect(await exited).toBe(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines).toContain('instruments (2) at ' + g.grpcAddress + ':');
    expect(lines).toContain('  binance spot BTCUSDT  intervals 1m,5m,15m,1h,4h,1d  levels yes');
    expect(lines).toContain('nearest levels of binance:spot:BTCUSDT at 100 (version 3):');
    expect(lines).toContain('  resistance 120  zone 118–122  score 0.70  timeframes 1d');
    expect(lines).toContain('  support    80  zone 78–82  score 0.60  timeframes 1d');
    expect(lines.filter((l) => / C 10[46] /.test(l))).toEqual([
      '  00:30  O 100 H 110 L 90 C 104  V 2  open  #1',
      '  00:30  O 100 H 110 L 90 C 106  V 2  final  #2',
    ]);
    expect(lines.at(-1)).toBe('done: 2 candle updates');
  });

  it('says so when the instrument has no levels yet, and still follows candles', async () => {
    g = await startTestGateway();
    const { out, exited } = run(g, 1);
    expect(await exited).toBe(0);
    expect(out.stdout).toMatch(/no levels: .*BTCUSDT/);
    expect(out.stdout).toContain('done: 0 candle updates');
  });
});
