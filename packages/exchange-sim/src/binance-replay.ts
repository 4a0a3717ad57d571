/**
 * BinanceReplay: serves recorded real Binance frames over the same WS/REST endpoints as the simulator.
 * Each connection gets its own playback from the start of the recording, at the recorded pace divided by
 * `speed`, filtered to its subscriptions; REST depth returns the recorded snapshot, so a collector can run
 * the documented snapshot + diff sync against real data.
 */
import type { Market } from './symbol-spec.js';
import type { SimUrls } from './binance-simulator.js';
import {
  VenueServer,
  type PingOptions,
  type SimLogger,
  type VenueClient,
  type VenueServerStats,
} from './venue-server.js';
import { defaultRecordingFiles, loadRecording, type RecordedFrame, type Recording } from './recording.js';
import { API_PREFIX, ERR, depthLimit, depthWeight, fail, intParam, notFound, ok } from './rest-common.js';
import { defaultFixturesDir } from './fixtures-path.js';
import type { StreamSpec } from './streams.js';

export interface BinanceReplayOptions {
  /** Default both. */
  markets?: Market[];
  /** Recording files per market; default: every matching fixture (see recording.ts). */
  files?: Partial<Record<Market, string[]>>;
  fixturesDir?: string;
  /** Playback speed: 1 = recorded pace (default), 10 = ten times faster, Infinity = as fast as possible. */
  speed?: number;
  ping?: PingOptions;
  logger?: SimLogger;
}

export interface ReplayStats {
  connections: number;
  framesSent: number;
  /** Connections that played the whole recording. */
  playbacksFinished: number;
  markets: Partial<Record<Market, VenueServerStats>>;
}

interface Playback {
  client: VenueClient;
  index: number;
  startWall: number;
  timer: NodeJS.Timeout | null;
  done: boolean;
}

export class BinanceReplay {
  readonly urls: SimUrls = { spotWs: '', spotRest: '', perpWs: '', perpRest: '' };
  private readonly servers = new Map<Market, VenueServer>();
  private readonly recordings = new Map<Market, Recording>();
  private readonly playbacks = new Set<Playback>();
  private finished = 0;
  private readonly speed: number;

  private constructor(speed: number) {
    this.speed = speed;
  }

  static async start(opts: BinanceReplayOptions = {}): Promise<BinanceReplay> {
    const speed = opts.speed ?? 1;
    if (!(speed > 0)) throw new Error('BinanceReplay: speed must be > 0');
    const r = new BinanceReplay(speed);
    const fixturesDir = opts.fixturesDir ?? defaultFixturesDir();
    for (const market of opts.markets ?? (['spot', 'perp'] as Market[])) {
      const rec = loadRecording(market, opts.files?.[market] ?? defaultRecordingFiles(fixturesDir, market));
      r.recordings.set(market, rec);
      const streams = new Set(rec.frames.map((f) => f.stream));
      const playbacks = new Map<VenueClient, Playback>();
      const server = await VenueServer.listen({
        market,
        parseStream: (raw) => (typeof raw === 'string' && streams.has(raw) ? toSpec(raw) : null),
        handleRest: (req) => {
          const prefix = API_PREFIX[market];
          if (req.path !== `${prefix}/depth`) return notFound(req.path);
          const symbol = req.query.get('symbol');
          if (!symbol) return fail(ERR.mandatory('symbol'));
          const snap = rec.snapshots.get(symbol.toUpperCase());
          if (!snap) return fail(ERR.invalidSymbol);
          const lim = intParam(req.query, 'limit');
          if (lim === null) return fail(ERR.illegal('limit'));
          const limit = depthLimit(market, lim);
          return ok(
            { ...snap.body, bids: snap.body.bids.slice(0, limit), asks: snap.body.asks.slice(0, limit) },
            depthWeight(market, limit),
          );
        },
        now: () => Date.now(),
        ...(opts.ping ? { ping: opts.ping } : {}),
        ...(opts.logger ? { logger: opts.logger } : {}),
        onSubscribe: (client: VenueClient, _added: StreamSpec[]) => {
          if (playbacks.has(client)) return;
          const pb: Playback = { client, index: 0, startWall: Date.now(), timer: null, done: false };
          playbacks.set(client, pb);
          r.playbacks.add(pb);
          r.pump(market, pb);
        },
        onClientClose: (client) => {
          const pb = playbacks.get(client);
          if (!pb) return;
          if (pb.timer) clearTimeout(pb.timer);
          playbacks.delete(client);
          r.playbacks.delete(pb);
        },
      });
      r.servers.set(market, server);
      if (market === 'spot') Object.assign(r.urls, { spotWs: server.wsUrl, spotRest: server.restUrl });
      else Object.assign(r.urls, { perpWs: server.wsUrl, perpRest: server.restUrl });
    }
    return r;
  }

  /** The recorded frames of a market (optionally one symbol), in playback order. */
  frames(market: Market, symbol?: string): RecordedFrame[] {
    const f = this.recording(market).frames;
    return symbol ? f.filter((x) => x.symbol === symbol.toUpperCase()) : f.slice();
  }

  /** The recorded REST depth body for a symbol. */
  snapshot(market: Market, symbol: string): object | undefined {
    return this.recording(market).snapshots.get(symbol.toUpperCase())?.body;
  }

  stats(): ReplayStats {
    const markets: Partial<Record<Market, VenueServerStats>> = {};
    let connections = 0;
    let framesSent = 0;
    for (const [m, s] of this.servers) {
      markets[m] = { ...s.stats };
      connections += s.stats.connections;
      framesSent += s.stats.framesSent;
    }
    return { connections, framesSent, playbacksFinished: this.finished, markets };
  }

  async close(): Promise<void> {
    for (const pb of this.playbacks) if (pb.timer) clearTimeout(pb.timer);
    this.playbacks.clear();
    await Promise.all([...this.servers.values()].map((s) => s.close()));
  }

  private recording(market: Market): Recording {
    const r = this.recordings.get(market);
    if (!r) throw new Error(`replay: market ${market} not loaded`);
    return r;
  }

  /** Send every frame that is due for this connection, then sleep until the next one. */
  private pump(market: Market, pb: Playback): void {
    pb.timer = null;
    const frames = this.recording(market).frames;
    const server = this.servers.get(market);
    if (!server || !pb.client.open || frames.length === 0) return;
    const t0 = frames[0]!.t;
    const elapsed = (Date.now() - pb.startWall) * this.speed;
    let sent = 0;
    while (pb.index < frames.length) {
      const f = frames[pb.index]!;
      if (f.t - t0 > elapsed && Number.isFinite(this.speed)) break;
      if (!Number.isFinite(this.speed) && sent >= 500) break; // yield to the event loop between batches
      pb.index++;
      if (pb.client.streams.has(f.stream)) {
        server.sendTo(pb.client, f.stream, f.data);
        sent++;
      }
    }
    if (pb.index >= frames.length) {
      pb.done = true;
      this.finished++;
      return;
    }
    const next = frames[pb.index]!;
    const wait = Number.isFinite(this.speed)
      ? Math.max(0, (next.t - t0) / this.speed - (Date.now() - pb.startWall))
      : 0;
    pb.timer = setTimeout(() => this.pump(market, pb), wait);
  }
}

function toSpec(name: string): StreamSpec {
  const at = name.indexOf('@');
  const suffix = name.slice(at + 1);
  const kind = suffix.startsWith('depth')
    ? 'depth'
    : suffix.startsWith('aggTrade')
      ? 'aggTrade'
      : suffix.startsWith('markPrice')
        ? 'markPrice'
        : suffix.startsWith('kline')
          ? 'kline'
          : 'forceOrder';
  return { name, symbol: name.slice(0, at).toUpperCase(), kind };
}
