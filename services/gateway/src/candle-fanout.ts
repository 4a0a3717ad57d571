import type { Candle } from '@pricelevel/contracts';
import type { Logger } from '@pricelevel/platform';

export type CandleListener = (candle: Candle) => void;

/** The fan-out key: one instrument on one interval. */
export function watchKey(c: { exchange: string; market: string; symbol: string; interval: string }): string {
  return `${c.exchange}:${c.market}:${c.symbol}:${c.interval}`;
}

/**
 * In-memory fan-out of the gateway's one bus subscription to every open stream and socket that
 * watches the candle's (instrument, interval). Listeners must not block; a throwing listener is
 * logged and counted, and the others still get the candle.
 */
export class CandleFanout {
  private readonly listeners = new Map<string, Set<CandleListener>>();
  /** Candles handed to dispatch, and listener calls that threw. */
  readonly counters = { dispatched: 0, unmatched: 0, listenerErrors: 0 };

  constructor(private readonly logger: Logger) {}

  /** Returns the unsubscribe function. */
  add(key: string, listener: CandleListener): () => void {
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    return () => {
      const current = this.listeners.get(key);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) this.listeners.delete(key);
    };
  }

  dispatch(candle: Candle): void {
    this.counters.dispatched++;
    const set = this.listeners.get(watchKey(candle));
    if (!set) {
      this.counters.unmatched++;
      return;
    }
    // Copy: a listener may unsubscribe itself (or another) while we iterate.
    for (const listener of [...set]) {
      try {
        listener(candle);
      } catch (err) {
        this.counters.listenerErrors++;
        this.logger.error({ err, key: watchKey(candle) }, 'candle listener failed');
      }
    }
  }

  get size(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }
}
