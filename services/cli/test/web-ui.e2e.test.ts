import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page, type WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startCli, type CliProcess } from './helpers.js';

const SCREENSHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test-results/screenshots');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** `window.__pricelevel`, the page's view of what it shows (services/web/src/app/app.ts). */
interface UiState {
  ready: boolean;
  selection: { exchange: string; market: string; symbol: string; interval: string } | null;
  candles: number;
  oldestOpenTime: number | null;
  lastCandle: { openTime: number; close: number; version: number } | null;
  zones: number;
  levelVersion: number;
  qualityMarkers: number;
  featurePoints: number;
  seq: Record<string, number>;
  epoch: string | null;
  connected: boolean;
  connections: number;
  theme: 'dark' | 'light';
  liveCandles: number;
  gaps: number;
  epochChanges: number;
  historyPages: number;
  errors: number;
}

/**
 * The browser's own log lines for requests that fail while the gateway is down or stopping (a refused
 * connection, a request cut by the shutdown); not the page's code.
 */
const GATEWAY_DOWN = /net::ERR_[A-Z_]+|WebSocket connection to .* failed/;

// The web UI as a user opens it: `pricelevel demo` serves it at `/` on the HTTP port, Chromium renders it.
describe('web UI (pricelevel demo, Chromium)', () => {
  let dir: string;
  let env: Record<string, string>;
  let cli: CliProcess;
  let httpPort: number;
  let browser: Browser;
  let page: Page;
  /** Console errors and page errors, each with whether the gateway was meant to be down then. */
  const problems: { text: string; duringRestart: boolean }[] = [];
  let restarting = false;

  const state = (): Promise<UiState> => page.evaluate(() => (window as unknown as { __pricelevel: UiState }).__pricelevel);
  const waitFor = async (what: string, pred: (s: UiState) => boolean, timeoutMs: number): Promise<UiState> => {
    const until = Date.now() + timeoutMs;
    let last: UiState | undefined;
    while (Date.now() < until) {
      last = await state();
      if (pred(last)) return last;
      await page.waitForTimeout(250);
    }
    throw new Error(`${what}: not within ${timeoutMs} ms; page state ${JSON.stringify(last)}`);
  };
  const api = async (method: string, body: object) => {
    const res = await fetch(`http://127.0.0.1:${httpPort}/api/v1/${method}`, { method: 'POST', body: JSON.stringify(body) });
    return (await res.json()) as Record<string, unknown>;
  };
  const watchProblems = (p: Page) => {
    p.on('console', (m) => {
      if (m.type() === 'error') problems.push({ text: m.text(), duringRestart: restarting });
    });
    p.on('pageerror', (e) => problems.push({ text: `uncaught: ${e.message}`, duringRestart: restarting }));
  };
  const startDemo = async () => {
    cli = startCli(['demo'], env);
    // The HTTP port is open from here on (the kline backfill may still be running).
    await cli.waitForLine((l) => l.includes('gateway listening'), 150_000);
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-web-'));
    httpPort = await freePort();
    env = {
      PL_DATA_DIR: dir, GRPC_HOST: '127.0.0.1', GRPC_PORT: String(await freePort()), HTTP_HOST: '127.0.0.1', HTTP_PORT: String(httpPort),
      OPS_HOST: '127.0.0.1', OPS_PORT: String(await freePort()), PL_SYMBOLS: 'BTCUSDT,ETHUSDT',
      // The two venues the test looks at: the demo starts faster, next to the other end-to-end tests.
      PL_EXCHANGES: 'binance',
    };
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    [browser] = await Promise.all([chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS }), startDemo()]);
    page = await browser.newPage({ viewport: { width: 1400, height: 850 }, colorScheme: 'dark' });
    watchProblems(page);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await cli?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('serves the page at / and renders candles and level zones for BTCUSDT on Binance spot, in the dark theme by default', async () => {
    await page.goto(`http://127.0.0.1:${httpPort}/`);
    // The system prefers dark (colorScheme above) and nothing is remembered yet.
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
    const s = await waitFor('spot candles and zones', (x) => x.ready && x.candles > 0 && x.zones > 0 && x.featurePoints > 0, 60_000);
    expect(s.selection).toEqual({ exchange: 'binance', market: 'spot', symbol: 'BTCUSDT', interval: '1m' });
    expect(s.theme).toBe('dark');
    expect(s.connected).toBe(true);
    // Every channel of the instrument was accepted (a refused one would be an error message).
    expect(Object.keys(s.seq).sort()).toEqual([
      'candles:binance:spot:BTCUSDT:1m', 'features:binance:spot:BTCUSDT', 'levels:binance:spot:BTCUSDT', 'quality:binance:spot:BTCUSDT',
    ]);
    expect(s.errors).toBe(0);
    // The zones are the gateway's current level set.
    const levels = await api('LevelService/GetLevels', { exchange: 'binance', market: 'spot', symbol: 'BTCUSDT' });
    if (levels.version === s.levelVersion) expect(s.zones).toBe((levels.levels as unknown[]).length);
    expect(await page.locator('#chart canvas').count()).toBeGreaterThan(0);
    expect(await page.locator('#features [data-feature]').count()).toBe(5);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'binance-spot-1m-dark.png') });
  }, 90_000);

  it('switches to Binance perp with the market picker, and to 1h with the timeframe buttons', async () => {
    await page.selectOption('#market', 'perp');
    const perp = await waitFor(
      'perp candles and zones',
      (x) => x.selection?.market === 'perp' && x.ready && x.candles > 0 && x.zones > 0,
      60_000,
    );
    expect(perp.selection).toEqual({ exchange: 'binance', market: 'perp', symbol: 'BTCUSDT', interval: '1m' });
    expect(await page.inputValue('#market')).toBe('perp');
    expect(new URL(page.url()).searchParams.get('market')).toBe('perp');

    await page.click('#intervals button[data-interval="1h"]');
    const hourly = await waitFor('1h candles', (x) => x.selection?.interval === '1h' && x.ready && x.candles > 100, 60_000);
    expect(hourly.lastCandle!.openTime % 3_600_000).toBe(0);
    expect(await page.getAttribute('#intervals button[data-interval="1h"]', 'aria-pressed')).toBe('true');
    // The backfilled hours are candles too: the GetCandles page of venue klines is on the chart.
    const klines = await api('MarketDataService/GetCandles', {
      exchange: 'binance', market: 'perp', symbol: 'BTCUSDT', interval: '1h', toTs: 0, limit: 500, source: 'exchange',
    });
    expect(hourly.oldestOpenTime).toBeLessThanOrEqual((klines.candles as { openTime: number }[])[0]!.openTime);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'binance-perp-1h-dark.png') });
  }, 120_000);

  it('loads older candles when scrolled back to the oldest one', async () => {
    const before = await state();
    const box = (await page.locator('#chart').boundingBox())!;
    const y = box.y + box.height / 2;
    // Drag the chart to the right, as a user scrolls back in time, until the page has fetched an older page.
    let after = before;
    // Time-bounded rather than a number of drags: on a busy machine one history page can take seconds.
    const until = Date.now() + 45_000;
    while (Date.now() < until && (after.oldestOpenTime! >= before.oldestOpenTime! || after.historyPages <= before.historyPages)) {
      await page.mouse.move(box.x + 40, y);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width - 120, y, { steps: 8 });
      await page.mouse.up();
      await page.waitForTimeout(500);
      after = await state();
    }
    expect(after.historyPages).toBeGreaterThan(before.historyPages);
    expect(after.oldestOpenTime).toBeLessThan(before.oldestOpenTime!);
    expect(after.candles).toBeGreaterThan(before.candles);
  }, 90_000);

  it('follows live updates: the seq of the candle channel and the last candle advance', async () => {
    await page.click('#intervals button[data-interval="1m"]');
    const s0 = await waitFor('1m again', (x) => x.selection?.interval === '1m' && x.ready && x.candles > 0, 30_000);
    const channel = 'candles:binance:perp:BTCUSDT:1m';
    const s1 = await waitFor(
      'a live candle update',
      (x) => x.liveCandles > s0.liveCandles + 1 && (x.seq[channel] ?? 0) > (s0.seq[channel] ?? 0),
      30_000,
    );
    const [a, b] = [s0.lastCandle!, s1.lastCandle!];
    expect(b.openTime > a.openTime || (b.openTime === a.openTime && b.version > a.version)).toBe(true);
    expect(s1.featurePoints).toBeGreaterThan(0);
  }, 60_000);

  it('resumes after a dropped connection: resubscribes with since and gets the missed updates replayed', async () => {
    // A second page whose WebSocket goes through a route, so the test can cut it and watch both directions.
    const routed = await browser.newPage({ viewport: { width: 1200, height: 700 } });
    watchProblems(routed);
    const fromPage: string[] = [];
    const toPage: { conn: number; msg: Record<string, unknown> }[] = [];
    const routes: WebSocketRoute[] = [];
    await routed.routeWebSocket(/\/ws/, (ws) => {
      const conn = routes.push(ws);
      const server = ws.connectToServer();
      // The reconnect's requests are held 2.5 s: the gateway publishes features meanwhile, which the page missed.
      ws.onMessage((m) => {
        fromPage.push(String(m));
        if (conn === 1) server.send(m);
        else setTimeout(() => server.send(m), 2500);
      });
      server.onMessage((m) => {
        toPage.push({ conn, msg: JSON.parse(String(m)) as Record<string, unknown> });
        ws.send(m);
      });
    });
    try {
      await routed.goto(`http://127.0.0.1:${httpPort}/?exchange=binance&market=spot&symbol=BTCUSDT&interval=1m`);
      const channel = 'features:binance:spot:BTCUSDT';
      const read = () => routed.evaluate(() => (window as unknown as { __pricelevel: UiState }).__pricelevel);
      let s0 = await read();
      for (let i = 0; i < 80 && !(s0.ready && (s0.seq[channel] ?? 0) > 0); i++) s0 = await routed.waitForTimeout(250).then(read);
      const since = s0.seq[channel]!;
      await routes[0]!.close({ code: 1012, reason: 'dropped by the test' });
      await expect.poll(async () => (await read()).connections, { timeout: 20_000 }).toBe(2);
      await expect.poll(async () => ((await read()).seq[channel] ?? 0) > since + 1, { timeout: 20_000 }).toBe(true);
      const resub = fromPage.map((m) => JSON.parse(m) as { op: string; channel: string; since?: number }).filter((m) => m.channel === channel);
      expect(resub.at(-1)).toEqual({ op: 'subscribe', channel, since: expect.any(Number) });
      expect(resub.at(-1)!.since).toBeGreaterThanOrEqual(since);
      const after = toPage.filter((m) => m.conn === 2 && m.msg.channel === channel).map((m) => m.msg);
      expect(after[0]).toMatchObject({ type: 'subscribed', epoch: s0.epoch });
      const replayed = after.filter((m) => m.type === 'features' || m.type === 'flow');
      // Same epoch: no gap and no snapshot, the updates continue right after `since`.
      expect(after.some((m) => m.type === 'gap' || m.snapshot === true)).toBe(false);
      expect(replayed[0]!.seq).toBe(resub.at(-1)!.since! + 1);
      expect((after[0]!.seq as number) - resub.at(-1)!.since!).toBeGreaterThan(0);
      const s1 = await read();
      expect([s1.gaps, s1.epochChanges, s1.errors]).toEqual([0, 0, 0]);
    } finally {
      await routed.close();
    }
  }, 60_000);

  it('survives a gateway restart: reconnects by itself and resumes the stream under the new epoch', async () => {
    const before = await state();
    restarting = true;
    expect(await cli.stop()).toBe(0);
    await waitFor('the page to notice', (x) => !x.connected, 30_000);
    await startDemo();
    const resumed = await waitFor('reconnected', (x) => x.connected && x.connections > before.connections && x.epochChanges > before.epochChanges, 60_000);
    restarting = false;
    expect(resumed.epoch).not.toBe(before.epoch);
    const live = await waitFor('live updates after the restart', (x) => x.liveCandles > resumed.liveCandles + 1, 60_000);
    expect(live.seq['candles:binance:perp:BTCUSDT:1m']).toBeGreaterThan(0);
    expect(live.candles).toBeGreaterThanOrEqual(before.candles);
    expect(live.zones).toBeGreaterThan(0);
    expect(live.selection).toEqual(before.selection);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'binance-perp-1m-after-restart-dark.png') });
  }, 240_000);

  it('toggles to the light theme and remembers it across a reload', async () => {
    await page.click('#theme');
    expect(await page.getAttribute('html', 'data-theme')).toBe('light');
    expect((await state()).theme).toBe('light');
    await page.reload();
    const s = await waitFor('reloaded', (x) => x.ready && x.candles > 0 && x.zones > 0, 60_000);
    expect(s.theme).toBe('light');
    expect(s.selection).toMatchObject({ exchange: 'binance', market: 'perp', symbol: 'BTCUSDT' });
    expect(await page.getAttribute('html', 'data-theme')).toBe('light');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'binance-perp-1m-light.png') });
  }, 90_000);

  it('logged no console errors, apart from the refused connections while the gateway was down', () => {
    expect(problems.filter((p) => !(p.duringRestart && GATEWAY_DOWN.test(p.text)))).toEqual([]);
    expect(fs.readdirSync(SCREENSHOTS).filter((f) => f.endsWith('.png')).length).toBeGreaterThanOrEqual(4);
  });
});
