/**
 * Trade continuity, venue-neutral and pure (no I/O, no clock): detects holes in a venue's trade-id
 * sequence, decides which REST-fetched trades fill them, and keeps a bounded window of recent ids so
 * a trade that arrives twice (WS and REST, or a WS duplicate) is published once.
 *
 * Venues differ in what their ids allow:
 * - Binance aggTrade `a` and HTX `tradeId` / `trade-id` are consecutive integers per symbol: a jump
 *   from n to n+k (k > 1) means k−1 trades were missed, and exactly which ones (`SequentialTradeIds`).
 * - Bybit `i` (a UUID on linear/inverse, a large decimal on spot) and BingX (no id at all; the parser
 *   builds a synthetic one) carry no sequence: a loss cannot be seen from the ids, only deduplicated
 *   (`RecentIds`) and, after a reconnect, looked for by position in a recent-trades list
 *   (`tradesAfter`).
 */

/** Bounded FIFO set of the most recent ids: the oldest are forgotten first. */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(readonly capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Remembers `id`; false when it was already known (a duplicate). */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value as string;
      this.ids.delete(oldest);
    }
    return true;
  }

  get size(): number {
    return this.ids.size;
  }
}

/** A hole in a consecutive id sequence: ids `fromId..toId` (inclusive) were not received. */
export interface TradeIdGap {
  symbol: string;
  /** The id that was expected next. */
  fromId: number;
  /** The last missing id (the received id − 1). */
  toId: number;
  /** The id that revealed the gap. */
  receivedId: number;
  /** `reconnect`: the window between the last trade before a reconnect and the first after it. */
  cause: 'gap' | 'reconnect';
}

export const gapSize = (g: TradeIdGap): number => g.toId - g.fromId + 1;

export type LiveVerdict =
  | { publish: true; gap: TradeIdGap | null }
  /** `duplicate`: seen before; `late`: older than the newest id and not in an open gap (already handled). */
  | { publish: false; reason: 'duplicate' | 'late' };

interface OpenGap {
  gap: TradeIdGap;
  recovered: number;
}

/** Parses a venue trade id that must be a non-negative safe integer; null otherwise. */
export function sequentialId(tradeId: string): number | null {
  if (!/^\d{1,16}$/.test(tradeId)) return null;
  const n = Number(tradeId);
  return Number.isSafeInteger(n) ? n : null;
}

/**
 * The id sequence of one symbol on a venue with consecutive trade ids. Live trades go through
 * `onLive`, REST-fetched ones through `onFetched`; both say whether to publish. Every id is
 * published at most once: ids above the newest are new, ids inside an open gap are new until
 * recovered, everything else is a duplicate or a late copy of something already handled.
 */
export class SequentialTradeIds {
  private newest = -1;
  private reconnected = false;
  private readonly open: OpenGap[] = [];
  private readonly recent: RecentIds;

  constructor(
    readonly symbol: string,
    capacity = 10_000,
  ) {
    this.recent = new RecentIds(capacity);
  }

  /** The newest id seen, or undefined before the first trade. */
  get lastId(): number | undefined {
    return this.newest < 0 ? undefined : this.newest;
  }

  /** The connection carrying this symbol was re-established: the next jump is a reconnect window. */
  markReconnect(): void {
    if (this.newest >= 0) this.reconnected = true;
  }

  openGaps(): readonly TradeIdGap[] {
    return this.open.map((o) => o.gap);
  }

  onLive(id: number): LiveVerdict {
    const key = String(id);
    if (this.recent.has(key)) return { publish: false, reason: 'duplicate' };
    if (this.newest < 0 || id === this.newest + 1) {
      this.advance(id, key);
      return { publish: true, gap: null };
    }
    if (id > this.newest) {
      const gap: TradeIdGap = { symbol: this.symbol, fromId: this.newest + 1, toId: id - 1, receivedId: id, cause: this.reconnected ? 'reconnect' : 'gap' };
      this.open.push({ gap, recovered: 0 });
      this.advance(id, key);
      return { publish: true, gap };
    }
    // Older than the newest: only a missing trade arriving late may still go out.
    return this.fill(id, key) ? { publish: true, gap: null } : { publish: false, reason: 'late' };
  }

  /** A trade fetched over REST: publish only when it fills an open gap for the first time. */
  onFetched(id: number): boolean {
    return this.fill(id, String(id));
  }

  /** Stops waiting for a gap's trades; how many arrived and how many are lost for good. */
  closeGap(gap: TradeIdGap): { recovered: number; missing: number } {
    const i = this.open.findIndex((o) => o.gap === gap);
    if (i < 0) throw new Error(`gap ${gap.fromId}..${gap.toId} of ${gap.symbol} is not open`);
    const [o] = this.open.splice(i, 1);
    return { recovered: o!.recovered, missing: gapSize(gap) - o!.recovered };
  }

  private advance(id: number, key: string): void {
    this.newest = id;
    this.reconnected = false;
    this.recent.add(key);
  }

  private fill(id: number, key: string): boolean {
    const o = this.open.find((x) => id >= x.gap.fromId && id <= x.gap.toId);
    if (!o || !this.recent.add(key)) return false;
    o.recovered++;
    return true;
  }
}

/** One REST page of a gap: ids `fromId..fromId+limit−1` (Binance `aggTrades?fromId=&limit=`). */
export function nextIdPage(gap: TradeIdGap, cursor: number, maxPage: number): { fromId: number; limit: number } | null {
  if (cursor > gap.toId) return null;
  const from = Math.max(cursor, gap.fromId);
  return { fromId: from, limit: Math.min(maxPage, gap.toId - from + 1) };
}

/**
 * How many of the latest trades reach back to `fromId` when `newestId` is the newest known: an upper
 * bound for "latest N" endpoints (HTX `/market/history/trade` counts groups of ≥ 1 trade each).
 */
export function latestCountReaching(fromId: number, newestId: number, max: number): number {
  return Math.max(1, Math.min(max, newestId - fromId + 1));
}

/**
 * For venues without a sequence: the trades of a recent-trades list (oldest first) that come after
 * `lastSeenId`. `found` is false when the list does not reach back to it: then every listed trade
 * is returned and older ones may be lost.
 */
export function tradesAfter<T extends { tradeId: string }>(oldestFirst: readonly T[], lastSeenId: string): { trades: T[]; found: boolean } {
  for (let i = oldestFirst.length - 1; i >= 0; i--) {
    if (oldestFirst[i]!.tradeId === lastSeenId) return { trades: oldestFirst.slice(i + 1), found: true };
  }
  return { trades: oldestFirst.slice(), found: false };
}
