import type { Market } from '@pricelevel/contracts';
import type { OrderBook } from '@pricelevel/market';
import type { Bus, Clock, Logger } from '@pricelevel/platform';

/** Base URLs of one venue market: the only thing that differs between the real venue and a simulator. */
export interface VenueUrls {
  wsUrl: string;
  restUrl: string;
}

/** Reconnect backoff: delay = jitter × min(maxMs, initialMs × 2^attempt). */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

/** What every venue adapter is constructed with; venues add their own optional knobs. */
export interface ExchangeAdapterOptions {
  /** Instruments to collect, in any case/format the venue accepts; normalized by the adapter. */
  symbols: string[];
  market: Market;
  urls: VenueUrls;
  bus: Bus;
  clock: Clock;
  logger: Logger;
  /** Random source in [0,1) for jitter; injected so tests are deterministic. */
  random?: () => number;
  backoff?: BackoffOptions;
  /** No frame for this long ⇒ the connection is considered dead and is replaced. */
  staleMs?: number;
}

/** Sync state of one symbol's book as the adapter sees it. */
export interface BookView {
  symbol: string;
  synced: boolean;
  lastUpdateId: number;
  epoch: number;
  book: OrderBook;
}

export interface AdapterStats {
  exchange: string;
  market: Market;
  connected: boolean;
  /** Monotonic counters (frames, events, drops by reason, gaps, reconnects, …). */
  counters: Record<string, number>;
  books: Record<string, { synced: boolean; lastUpdateId: number; epoch: number }>;
}

/**
 * One venue market (e.g. binance perp) for a set of symbols: connects, normalizes, keeps books in
 * sync and publishes to the bus. start() returns once connecting has begun; the adapter then keeps
 * itself alive (reconnects, resyncs) until stop().
 */
export interface ExchangeAdapter {
  readonly exchange: string;
  readonly market: Market;
  start(): Promise<void>;
  stop(): Promise<void>;
  stats(): AdapterStats;
  /** The live book of a symbol (read-only use), or undefined for a symbol not collected. */
  book(symbol: string): BookView | undefined;
}
