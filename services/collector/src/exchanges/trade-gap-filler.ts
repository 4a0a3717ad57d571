import { QualityKind, type Market, type QualityEvent, type Trade } from '@pricelevel/contracts';
import type { Clock, Logger } from '@pricelevel/platform';
import { backoffDelay } from './backoff.js';
import type { Counters } from './counters.js';
import { gapSize, SequentialTradeIds, sequentialId, type TradeIdGap } from './trade-continuity.js';
import { sleep } from './binance/weight-limiter.js';

/** Fetches the trades of a gap, page by page (any order, extra trades are ignored). */
export type GapFetcher = (gap: TradeIdGap, tracker: SequentialTradeIds, signal: AbortSignal) => AsyncIterable<Trade[]>;

export interface TradeGapFillerOptions {
  exchange: string;
  market: Market;
  symbols: readonly string[];
  fetchGap: GapFetcher;
  /** Hands a trade to the bus (live and recovered alike). */
  publish: (trade: Trade) => void;
  quality: (q: QualityEvent) => void;
  clock: Clock;
  logger: Logger;
  counters: Counters;
  random?: () => number;
  /** Recent ids kept per symbol for de-duplication. Default 10 000. */
  recentIds?: number;
  /** Fetch attempts per gap before it is reported unrecoverable. Default 5. */
  maxAttempts?: number;
  /** First retry delay after a failed fetch; doubles up to 30 s. Default 500 ms. */
  retryMs?: number;
}

/**
 * Trade continuity for a venue with consecutive trade ids: every live trade passes through here, is
 * published once, and a jump in ids (a dropped message or a reconnect window) is fetched over REST,
 * one gap at a time per symbol. Each gap is one SEQUENCE_GAP quality event (so downstream counts of
 * gaps stay exact), published when the fill ends, stamped with the time the gap was seen, carrying
 * the expected/received ids and in its detail the recovered count.
 */
export class TradeGapFiller {
  private readonly trackers = new Map<string, SequentialTradeIds>();
  private readonly queues = new Map<string, TradeIdGap[]>();
  private readonly running = new Set<string>();
  private readonly seenAt = new Map<TradeIdGap, number>();
  private abort = new AbortController();
  private readonly random: () => number;

  constructor(private readonly options: TradeGapFillerOptions) {
    this.random = options.random ?? Math.random;
    for (const s of options.symbols) this.trackers.set(s, new SequentialTradeIds(s, options.recentIds));
  }

  tracker(symbol: string): SequentialTradeIds | undefined {
    return this.trackers.get(symbol);
  }

  onTrade(trade: Trade): void {
    const tracker = this.trackers.get(trade.symbol);
    const id = sequentialId(trade.tradeId);
    if (!tracker || id === null) {
      // Not a consecutive id (or an uncollected symbol): nothing to check it against, pass it on.
      this.options.counters.inc('tradeIdsUnchecked');
      this.options.publish(trade);
      return;
    }
    const v = tracker.onLive(id);
    if (!v.publish) {
      this.options.counters.inc(v.reason === 'duplicate' ? 'tradeDuplicates' : 'tradeLate');
      return;
    }
    this.options.publish(trade);
    if (v.gap) this.onGap(v.gap);
  }

  /** The connection of `symbols` is back: the next id jump is the reconnect window. */
  onReconnect(symbols: readonly string[]): void {
    for (const s of symbols) this.trackers.get(s)?.markReconnect();
  }

  /** Stops fetching; every gap still open is reported with what it got so far. */
  stop(): void {
    this.abort.abort();
    this.abort = new AbortController();
    this.queues.clear();
    for (const tracker of this.trackers.values()) {
      for (const gap of tracker.openGaps()) this.report(gap, tracker, 'fill interrupted by shutdown');
    }
  }

  private onGap(gap: TradeIdGap): void {
    const n = gapSize(gap);
    this.options.counters.inc('tradeGaps');
    this.options.counters.inc('tradeGapMissing', n);
    this.options.logger.warn({ symbol: gap.symbol, from: gap.fromId, to: gap.toId, cause: gap.cause }, 'trade id gap: fetching the missing trades');
    this.seenAt.set(gap, this.options.clock.now());
    let q = this.queues.get(gap.symbol);
    if (!q) this.queues.set(gap.symbol, (q = []));
    q.push(gap);
    if (!this.running.has(gap.symbol)) void this.drain(gap.symbol, this.abort.signal);
  }

  private async drain(symbol: string, signal: AbortSignal): Promise<void> {
    this.running.add(symbol);
    try {
      for (let gap = this.queues.get(symbol)?.shift(); gap && !signal.aborted; gap = this.queues.get(symbol)?.shift()) {
        await this.fill(gap, signal);
      }
    } finally {
      this.running.delete(symbol);
    }
  }

  private async fill(gap: TradeIdGap, signal: AbortSignal): Promise<void> {
    const tracker = this.trackers.get(gap.symbol)!;
    const { counters, logger } = this.options;
    const maxAttempts = this.options.maxAttempts ?? 5;
    let failure = '';
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      try {
        for await (const page of this.options.fetchGap(gap, tracker, signal)) {
          for (const t of page) {
            const id = sequentialId(t.tradeId);
            if (id !== null && t.symbol === gap.symbol && tracker.onFetched(id)) {
              counters.inc('tradesRecovered');
              this.options.publish(t);
            }
          }
        }
        failure = '';
        break;
      } catch (err) {
        if (signal.aborted) return;
        failure = String(err);
        counters.inc('tradeGapFetchFailures');
        const delay = backoffDelay(attempt, { initialMs: this.options.retryMs ?? 500, maxMs: 30_000 }, this.random);
        logger.warn({ symbol: gap.symbol, err: failure, retryInMs: delay }, 'trade gap fetch failed');
        try {
          await sleep(this.options.clock, delay, signal);
        } catch {
          return; // stopped
        }
      }
    }
    if (signal.aborted) return; // stop() reports it
    this.report(gap, tracker, failure ? failure.slice(0, 80) : 'no longer served by the venue');
  }

  private report(gap: TradeIdGap, tracker: SequentialTradeIds, whyMissing: string): void {
    const { recovered, missing } = tracker.closeGap(gap);
    if (missing > 0) this.options.counters.inc('tradesUnrecoverable', missing);
    const n = gapSize(gap);
    const detail =
      `trade ids: expected ${gap.fromId}, received ${gap.receivedId}${gap.cause === 'reconnect' ? ' (reconnect window)' : ''}: ` +
      `${n} missing, recovered ${recovered} of ${n}${missing ? `; ${missing} unrecoverable (${whyMissing})` : ''}`;
    const ts = this.seenAt.get(gap) ?? this.options.clock.now();
    this.seenAt.delete(gap);
    this.options.quality(this.event(gap, detail, ts));
  }

  private event(gap: TradeIdGap, detail: string, ts: number): QualityEvent {
    return {
      exchange: this.options.exchange,
      market: this.options.market,
      symbol: gap.symbol,
      kind: QualityKind.QUALITY_KIND_SEQUENCE_GAP,
      bookEpoch: 0,
      expectedId: gap.fromId,
      receivedId: gap.receivedId,
      detail,
      ts,
    };
  }
}
