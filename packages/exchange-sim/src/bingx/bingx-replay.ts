/**
 * BingX replay: serves the real captured payloads of fixtures/bingx/ over the venue's protocol. A
 * subscription to a recorded dataType (e.g. `ETH-USDT@trade`) is acknowledged and then answered with the
 * recorded frames, verbatim and gzipped as the venue sends them; REST paths answer with the recorded
 * bodies (whatever symbol is asked: the captures do not all name theirs).
 */
import fs from 'node:fs';
import path from 'node:path';
import { defaultFixturesDir } from '../fixtures-path.js';
import type { SimLogger } from '../venue-server.js';
import { BingxServer, type BingxPingOptions, type BingxServerStats } from './bingx-server.js';

export interface BingxReplayOptions {
  /** Project fixtures dir (default resolved from this package). */
  fixturesDir?: string;
  ping?: BingxPingOptions;
  logger?: SimLogger;
}

export interface BingxReplayStats {
  framesReplayed: number;
  ws: BingxServerStats;
  rest: BingxServerStats;
}

/** REST file → path served (v3 klines also answer v2: same body shape). */
const REST_FILES: Record<string, string[]> = {
  'rest_swap_v2_quote_depth.likely-real.json': ['/openApi/swap/v2/quote/depth'],
  'rest_swap_v2_quote_trades.likely-real.json': ['/openApi/swap/v2/quote/trades'],
  'rest_swap_v3_quote_klines.likely-real.json': ['/openApi/swap/v3/quote/klines', '/openApi/swap/v2/quote/klines'],
  'rest_swap_v2_quote_openInterest.likely-real.json': ['/openApi/swap/v2/quote/openInterest'],
  'rest_swap_v2_quote_premiumIndex.likely-real.json': ['/openApi/swap/v2/quote/premiumIndex'],
};

export class BingxReplay {
  readonly urls = { perpWs: '', perpRest: '' };
  /** Recorded frame texts by dataType, in file order. */
  readonly frames = new Map<string, string[]>();
  private readonly rest = new Map<string, unknown>();
  private wsServer!: BingxServer;
  private restServer!: BingxServer;
  private replayed = 0;

  private constructor(dir: string) {
    for (const f of fs.readdirSync(dir).sort()) {
      if (/^ws_swap_.+\.real\.jsonl$/.test(f)) {
        for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
          if (!line.trim()) continue;
          const dt = (JSON.parse(line) as { dataType?: unknown }).dataType;
          if (typeof dt !== 'string') throw new Error(`${f}: frame without dataType`);
          const list = this.frames.get(dt) ?? [];
          list.push(line);
          this.frames.set(dt, list);
        }
      }
      for (const p of REST_FILES[f] ?? []) this.rest.set(p, JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
    }
  }

  static async start(opts: BingxReplayOptions = {}): Promise<BingxReplay> {
    const dir = path.join(opts.fixturesDir ?? defaultFixturesDir(), 'bingx');
    if (!fs.existsSync(dir)) throw new Error(`BingxReplay: fixtures not found: ${dir}`);
    const r = new BingxReplay(dir);
    const log = opts.logger ? { logger: opts.logger } : {};
    r.wsServer = await BingxServer.listen({
      role: 'ws',
      isTopic: (dt) => r.frames.has(dt),
      handleRest: () => ({ status: 404, body: {} }),
      onSubscribe: (client, dt) => {
        for (const text of r.frames.get(dt) ?? []) {
          r.wsServer.sendTo(client, text);
          r.replayed++;
        }
      },
      ...(opts.ping ? { ping: opts.ping } : {}),
      ...log,
    });
    r.restServer = await BingxServer.listen({
      role: 'rest',
      isTopic: () => false,
      handleRest: (req) => {
        const body = r.rest.get(req.path);
        return body === undefined ? { status: 404, body: { code: 100404, msg: `no recording for ${req.path}` } } : { status: 200, body };
      },
      ...log,
    });
    r.urls.perpWs = r.wsServer.wsUrl;
    r.urls.perpRest = r.restServer.restUrl;
    return r;
  }

  stats(): BingxReplayStats {
    return { framesReplayed: this.replayed, ws: { ...this.wsServer.stats }, rest: { ...this.restServer.stats } };
  }

  async close(): Promise<void> {
    await Promise.all([this.wsServer.close(), this.restServer.close()]);
  }
}
