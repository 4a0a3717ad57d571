import type { Candle } from '@pricelevel/contracts';

/**
 * How a venue pages klines:
 * - forward: the first `limit` open times ≥ startTime (and ≤ endTime), oldest first (Binance). An
 *   empty or short page means the venue has no more in the range.
 * - window: only open times in [startTime, endTime], at most `limit`; the venue may pick the oldest
 *   or the newest `limit` of the window (Bybit: newest first). Asking for windows of exactly `limit`
 *   candles makes both answers the whole window; an empty window (before listing) is skipped.
 * - latest: no time parameters, only the latest `limit` candles (HTX): one request, and anything
 *   older than what it returns is unreachable.
 */
export type PagingMode = 'forward' | 'window' | 'latest';

export interface PageRequest {
  /** First open time wanted, ms inclusive. */
  startTime: number;
  /** Last open time wanted, ms inclusive. */
  endTime: number;
  /** Candles to ask for. */
  limit: number;
}

export interface KlinePagerOptions {
  mode: PagingMode;
  /** First open time to fetch (ms). */
  start: number;
  /** Open times before this are fetched (ms, exclusive). */
  end: number;
  intervalMs: number;
  /** The venue's largest page. */
  limit: number;
  /** latest mode: the time the request is made, to size it. */
  now?: number;
}

export type PagingProblem = 'stuck' | 'out-of-range' | 'unordered';

/** The venue's answers do not move the backfill forward: an error, never an endless loop. */
export class BackfillPagingError extends Error {
  constructor(
    readonly problem: PagingProblem,
    message: string,
  ) {
    super(message);
    this.name = 'BackfillPagingError';
  }
}

/** An open-time range the venue cannot serve any more (HTX keeps only the latest 2000 candles). */
export interface UnreachableRange {
  from: number;
  to: number;
}

/**
 * The pure paging planner: `next()` says what to ask for, `accept(rows)` takes the venue's answer
 * (oldest first), returns the rows to store — new, in range, each open time once — and moves the
 * cursor. It throws BackfillPagingError when an answer would not advance the cursor.
 */
export class KlinePager {
  private cursorAt: number;
  private finished: boolean;
  private pending: PageRequest | undefined;
  private requests = 0;
  private missing: UnreachableRange | undefined;

  constructor(private readonly o: KlinePagerOptions) {
    if (!(o.intervalMs > 0) || !Number.isSafeInteger(o.intervalMs)) throw new RangeError(`intervalMs must be a positive integer, got ${o.intervalMs}`);
    if (!Number.isSafeInteger(o.limit) || o.limit < 1) throw new RangeError(`limit must be a positive integer, got ${o.limit}`);
    if (!Number.isSafeInteger(o.start) || !Number.isSafeInteger(o.end)) throw new RangeError('start and end must be epoch ms integers');
    if (o.mode === 'latest' && !Number.isSafeInteger(o.now)) throw new RangeError('latest paging needs now');
    this.cursorAt = o.start;
    this.finished = o.start >= o.end;
  }

  /** First open time not yet covered. */
  get cursor(): number {
    return this.cursorAt;
  }

  get done(): boolean {
    return this.finished;
  }

  /** Requests planned so far. */
  get pages(): number {
    return this.requests;
  }

  /** What the venue could not serve (latest mode only). */
  get unreachable(): UnreachableRange | undefined {
    return this.missing;
  }

  /** Candles in the whole range, and how many of them the cursor has passed (for progress). */
  progress(): { done: number; total: number } {
    const { start, end, intervalMs } = this.o;
    const total = Math.max(0, Math.ceil((end - start) / intervalMs));
    return { done: Math.min(total, Math.ceil((this.cursorAt - start) / intervalMs)), total };
  }

  /** The next request, or undefined when the range is covered. */
  next(): PageRequest | undefined {
    if (this.finished) return undefined;
    if (this.pending) throw new Error('KlinePager: accept() the previous page first');
    const { mode, end, intervalMs, limit } = this.o;
    const c = this.cursorAt;
    let req: PageRequest;
    if (mode === 'window') {
      req = { startTime: c, endTime: Math.min(c + (limit - 1) * intervalMs, end - 1), limit };
    } else if (mode === 'forward') {
      req = { startTime: c, endTime: end - 1, limit };
    } else {
      // Enough of the latest candles to reach back to the cursor (+1: grids offset from UTC, e.g. HTX days).
      const wanted = Math.floor((this.o.now! - c) / intervalMs) + 2;
      req = { startTime: c, endTime: end - 1, limit: Math.max(1, Math.min(limit, wanted)) };
    }
    this.pending = req;
    this.requests++;
    return req;
  }

  accept(rows: readonly Candle[]): Candle[] {
    const req = this.pending;
    if (!req) throw new Error('KlinePager: accept() without a request');
    this.pending = undefined;
    for (let i = 1; i < rows.length; i++) {
      if (rows[i]!.openTime <= rows[i - 1]!.openTime) {
        throw new BackfillPagingError('unordered', `venue answer is not strictly ascending by open time at row ${i} (${rows[i]!.openTime})`);
      }
    }
    const { mode, end, intervalMs } = this.o;
    const from = this.cursorAt;
    const keep = rows.filter((r) => r.openTime >= from && r.openTime < end);
    if (mode === 'window') {
      const stray = rows.find((r) => r.openTime < req.startTime || r.openTime > req.endTime);
      if (stray) {
        throw new BackfillPagingError(
          'out-of-range',
          `venue ignored the requested window [${req.startTime}, ${req.endTime}]: it returned open time ${stray.openTime}; the cursor does not advance`,
        );
      }
      // Contiguous windows lose nothing; when the window's last candle reaches its end, the next
      // window starts on the venue's grid and holds `limit` candles again.
      const last = rows[rows.length - 1];
      this.cursorAt = last && last.openTime + intervalMs > req.endTime ? last.openTime + intervalMs : req.endTime + 1;
      this.finished = this.cursorAt >= end;
      return keep;
    }
    if (mode === 'latest') {
      const oldest = rows[0]?.openTime;
      // A full answer that starts after the cursor: the venue keeps no more history than that.
      if (oldest !== undefined && rows.length >= req.limit && oldest > from) this.missing = { from, to: Math.min(oldest, end) };
      this.cursorAt = end;
      this.finished = true;
      return keep;
    }
    const last = rows[rows.length - 1];
    if (!last) {
      this.finished = true; // nothing at or after the cursor
      return keep;
    }
    const nextCursor = last.openTime + intervalMs;
    if (nextCursor <= from) {
      throw new BackfillPagingError(
        'stuck',
        `cursor does not advance: asked for open times from ${from}, the venue's answer ends at ${last.openTime}`,
      );
    }
    this.cursorAt = nextCursor;
    this.finished = rows.length < req.limit || nextCursor >= end;
    return keep;
  }
}

/**
 * The range to fetch for one series. It resumes after the last stored open time (the store holds a
 * contiguous prefix: pages are written oldest first) and ends at the last candle already closed at
 * `now` — the still-open kline is never fetched as final. Without a coverage table, the first open
 * time the venue returned is taken as where its history starts: nothing before the store's first
 * candle is fetched again (`full` ignores the store and fetches [since, until) once more).
 */
export function planRange(o: {
  since: number;
  until?: number;
  now: number;
  intervalMs: number;
  stored?: { firstOpenTime: number; lastOpenTime: number };
  full?: boolean;
}): { start: number; end: number; headBefore?: number } {
  const lastClosedEnd = o.now - o.intervalMs + 1; // open times below this are closed at `now`
  const end = Math.min(o.until ?? Number.MAX_SAFE_INTEGER, lastClosedEnd);
  if (!o.stored || o.full) return { start: o.since, end };
  const start = Math.max(o.since, o.stored.lastOpenTime + o.intervalMs);
  return o.since < o.stored.firstOpenTime ? { start, end, headBefore: o.stored.firstOpenTime } : { start, end };
}
