import type { Logger } from '@pricelevel/platform';

export type Listener<T> = (value: T) => void;

/**
 * In-memory fan-out of one bus subscription to every open stream and socket that watches a key
 * (an instrument, or an instrument and interval). Listeners must not block; a throwing listener is
 * logged and counted, and the others still get the value.
 */
export class KeyedFanout<T> {
  private readonly listeners = new Map<string, Set<Listener<T>>>();
  /** Values handed to dispatch, values nobody watched, and listener calls that threw. */
  readonly counters = { dispatched: 0, unmatched: 0, listenerErrors: 0 };

  constructor(
    private readonly what: string,
    private readonly keyOf: (value: T) => string,
    private readonly logger: Logger,
    private readonly onListenerError: () => void = () => {},
  ) {}

  /** Returns the unsubscribe function. */
  add(key: string, listener: Listener<T>): () => void {
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

  dispatch(value: T): void {
    this.counters.dispatched++;
    const key = this.keyOf(value);
    const set = this.listeners.get(key);
    if (!set) {
      this.counters.unmatched++;
      return;
    }
    // Copy: a listener may unsubscribe itself (or another) while we iterate.
    for (const listener of [...set]) {
      try {
        listener(value);
      } catch (err) {
        this.counters.listenerErrors++;
        this.onListenerError();
        this.logger.error({ err, key }, `${this.what} listener failed`);
      }
    }
  }

  get size(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }
}
