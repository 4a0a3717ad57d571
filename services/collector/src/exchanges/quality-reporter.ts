import { instrumentKey, QualityKind, type Market, type QualityEvent, type TopicMessage, type TopicName } from '@pricelevel/contracts';
import type { Clock, Logger } from '@pricelevel/platform';
import type { BatchingPublisher } from './batching-publisher.js';
import type { Counters } from './counters.js';

export interface QualityReporterOptions {
  exchange: string;
  market: Market;
  /** The adapter's symbols: their instrument keys are computed once. */
  symbols: readonly string[];
  clock: Clock;
  logger: Logger;
  counters: Counters;
  publisher: Pick<BatchingPublisher, 'push'>;
  /** Epoch of the symbol's book sync (0 when it has none). */
  epochOf: (symbol: string) => number;
  /** Same (kind, symbol) quality events closer than this are folded into one. Default 1000 ms. */
  throttleMs?: number | undefined;
  /** Log message of a sequence gap (venues word what happens next differently). Default 'sequence gap'. */
  gapMessage?: string | undefined;
}

/**
 * Builds and publishes an adapter's quality events and keyed market data, venue-neutral.
 * Sequence gaps, resyncs and (when asked) reconnects always go out; repeated drops of one
 * (kind, symbol) are folded within the throttle window and the next event says how many were folded.
 */
export class QualityReporter {
  private readonly keys = new Map<string, string>();
  private readonly last = new Map<string, { at: number; suppressed: number }>();
  private readonly throttleMs: number;
  private readonly gapMessage: string;

  constructor(private readonly o: QualityReporterOptions) {
    this.throttleMs = o.throttleMs ?? 1000;
    this.gapMessage = o.gapMessage ?? 'sequence gap';
    for (const symbol of o.symbols) this.keys.set(symbol, instrumentKey({ exchange: o.exchange, market: o.market, symbol }));
  }

  /** Pushes a market-data message keyed by its instrument. */
  emit<T extends TopicName>(topic: T, symbol: string, value: TopicMessage<T>): void {
    this.o.publisher.push(topic, this.keys.get(symbol) ?? instrumentKey({ exchange: this.o.exchange, market: this.o.market, symbol }), value);
  }

  /** A quality event of this venue stamped with the symbol's book epoch and the clock. */
  quality(symbol: string, kind: QualityKind, detail: string): QualityEvent {
    return {
      exchange: this.o.exchange,
      market: this.o.market,
      symbol,
      kind,
      bookEpoch: symbol ? this.o.epochOf(symbol) : 0,
      expectedId: 0,
      receivedId: 0,
      detail,
      ts: this.o.clock.now(),
    };
  }

  /** Builds and publishes a quality event in one go; see emitQuality. */
  report(symbol: string, kind: QualityKind, detail: string, always = false): boolean {
    return this.emitQuality(this.quality(symbol, kind, detail), always);
  }

  /** Publishes a quality event unless it is folded into an earlier one. Returns whether it was published. */
  emitQuality(q: QualityEvent, always = false): boolean {
    const foldable = !always && q.kind !== QualityKind.QUALITY_KIND_SEQUENCE_GAP && q.kind !== QualityKind.QUALITY_KIND_RESYNC;
    if (q.kind === QualityKind.QUALITY_KIND_SEQUENCE_GAP) {
      this.o.logger.warn({ symbol: q.symbol, expected: q.expectedId, received: q.receivedId, detail: q.detail }, this.gapMessage);
    }
    if (foldable) {
      const key = `${q.kind}:${q.symbol}`;
      const now = this.o.clock.now();
      const last = this.last.get(key);
      if (last && now - last.at < this.throttleMs) {
        last.suppressed++;
        this.o.counters.inc('qualityFolded');
        return false;
      }
      if (last?.suppressed) q.detail += ` (+${last.suppressed} more since the last report)`;
      this.last.set(key, { at: now, suppressed: 0 });
    }
    this.o.counters.inc('qualityEvents');
    // An unknown symbol's event goes out under '' rather than minting a key for it.
    const key = q.symbol ? (this.keys.get(q.symbol) ?? '') : instrumentKey({ exchange: this.o.exchange, market: this.o.market, symbol: '' });
    this.o.publisher.push('md.quality.v1', key, q);
    return true;
  }
}
