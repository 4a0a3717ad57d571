import { instrumentKey, type Candle, type LevelSet } from '@pricelevel/contracts';
import { DEFAULT_HISTORY_DAYS, detectLevels, type DetectedLevels, type HistoryDays, type LevelConfig } from '@pricelevel/levels';
import type { Bus, Clock, Logger, Store, Subscription, TimerHandle } from '@pricelevel/platform';
import { loadTimeframeBars, type InstrumentRef } from './stored-bars.js';

export interface LevelDetectorOptions {
  bus: Bus;
  store: Store;
  clock: Clock;
  logger: Logger;
  instruments: readonly InstrumentRef[];
  config?: Partial<LevelConfig>;
  history?: HistoryDays;
  /**
   * How soon an instrument without history looks again (backfill may still be running); doubled on each
   * empty look, up to `refreshMs`.
   */
  seedRetryMs?: number;
  /** How often levels are recomputed anyway (candles that reach the store without a bus event, e.g. backfill). */
  refreshMs?: number;
  group?: string;
}

export interface LevelDetectorStats {
  instruments: number;
  recomputes: number;
  published: number;
  failures: number;
}

/** The timeframes whose closing candle triggers a recompute. */
const TRIGGERS = new Set(['1h', '4h', '1d']);

interface State {
  ref: InstrumentRef;
  version: number;
  /** The published levels, serialized without version and time: a recompute that changes nothing is not republished. */
  content: string | undefined;
  nextRun: number;
  busy: number;
  dirty: boolean;
  /** Looks that found no history in a row (for the backoff). */
  empty: number;
}

/**
 * Candles → support/resistance levels per instrument → `levels.v1` and the store. An instrument is
 * recomputed when one of its 1h, 4h or 1d candles closes (a final candle on agg.candle.v1), and
 * periodically for history that arrives without a bus event (kline backfill). Every publish carries the
 * full set with a version one higher than the last stored one, so a restart continues the sequence.
 */
export class LevelDetector {
  private readonly states = new Map<string, State>();
  private sub: Subscription | undefined;
  private timer: TimerHandle | undefined;
  private readonly st = { recomputes: 0, published: 0, failures: 0 };
  private readonly log: Logger;
  private readonly seedRetryMs: number;
  private readonly refreshMs: number;
  private stopping = false;
  /**
   * Recomputes run one at a time, all instruments together: each reads years of candles, and the
   * embedded store answers a crowd of them far slower than a line (a request during one runs after it).
   */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: LevelDetectorOptions) {
    this.log = o.logger.child({ component: 'level-detector' });
    this.seedRetryMs = o.seedRetryMs ?? 5_000;
    this.refreshMs = o.refreshMs ?? 60_000;
  }

  async start(): Promise<void> {
    const now = this.o.clock.now();
    for (const ref of this.o.instruments) {
      const [last] = await this.o.store.queryLevelSets({ ...ref, fromTs: 0, toTs: now + 1, limit: 1, tail: true });
      this.states.set(instrumentKey(ref), {
        ref, version: last?.version ?? 0, content: last ? contentOf(last) : undefined, nextRun: now, busy: 0, dirty: true, empty: 0,
      });
    }
    this.sub = await this.o.bus.subscribe({ topic: 'agg.candle.v1', group: this.o.group ?? 'level-detector' }, async (batch) => {
      for (const d of batch) this.onCandle(d.value);
    });
    this.timer = this.o.clock.setInterval(() => this.tick(), 500);
    this.tick();
    this.log.info({ instruments: this.states.size }, 'level detector started');
  }

  /** Stops recomputing and waits for the recomputes in flight: the store closes after this. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.timer?.cancel();
    await this.sub?.close();
    await this.queue;
    this.log.info(this.stats(), 'level detector stopped');
  }

  onCandle(c: Candle): void {
    if (!c.final || !TRIGGERS.has(c.interval)) return;
    const s = this.states.get(instrumentKey(c));
    if (s) s.dirty = true;
  }

  stats(): LevelDetectorStats {
    return { ...this.st, instruments: this.states.size };
  }

  /** Recomputes one instrument now (the timer calls it for due instruments); the new set when one was published. */
  recompute(key: string): Promise<LevelSet | undefined> {
    const s = this.states.get(key);
    if (!s) throw new Error(`unknown instrument ${key}`);
    if (this.stopping) return Promise.resolve(undefined);
    s.busy++;
    const next = this.queue.then(() => this.run(key, s)).finally(() => s.busy--);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async run(key: string, s: State): Promise<LevelSet | undefined> {
    s.dirty = false;
    const now = this.o.clock.now();
    try {
      const bars = await loadTimeframeBars(this.o.store, s.ref, now, this.o.history ?? DEFAULT_HISTORY_DAYS);
      if (bars.d1.length === 0) {
        s.nextRun = now + Math.min(this.refreshMs, this.seedRetryMs * 2 ** s.empty);
        s.empty++;
        return undefined;
      }
      s.empty = 0;
      const detected = detectLevels(bars, this.o.config);
      this.st.recomputes++;
      s.nextRun = now + (s.content === undefined && detected.levels.length === 0 ? this.seedRetryMs : this.refreshMs);
      const set = levelSet(s.ref, detected, s.version + 1);
      const content = contentOf(set);
      if (content === s.content) return undefined;
      await this.o.store.insertLevelSets([set]);
      await this.o.bus.publish('levels.v1', [{ key: instrumentKey(set), value: set }]);
      s.version = set.version;
      s.content = content;
      this.st.published++;
      this.log.debug({ key, version: set.version, levels: set.levels.length }, 'levels published');
      return set;
    } catch (err) {
      this.st.failures++;
      s.dirty = true;
      s.nextRun = now + this.seedRetryMs;
      this.log.error({ err, key }, 'level recompute failed; will retry');
      return undefined;
    }
  }

  private tick(): void {
    const now = this.o.clock.now();
    for (const [key, s] of this.states) {
      if (s.busy > 0 || (!s.dirty && now < s.nextRun)) continue;
      void this.recompute(key);
    }
  }
}

function levelSet(ref: InstrumentRef, d: DetectedLevels, version: number): LevelSet {
  return {
    exchange: ref.exchange,
    market: ref.market,
    symbol: ref.symbol,
    version,
    computedAt: d.asOf,
    currentPrice: d.currentPrice,
    atr: d.atr,
    levels: d.levels,
    nearestSupport: d.nearestSupport,
    nearestResistance: d.nearestResistance,
  };
}

/** What makes two sets the same for subscribers: the levels and where the price stands. */
function contentOf(s: LevelSet): string {
  return JSON.stringify([s.computedAt, s.currentPrice, s.levels, s.nearestSupport ?? null, s.nearestResistance ?? null]);
}
