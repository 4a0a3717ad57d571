import { QualityKind, type BookUpdate, type QualityEvent, type QualityMinute, type Ticker, type Trade } from '@pricelevel/contracts';
import { LatencyHistogram } from './latency-histogram.js';

export const QUALITY_MINUTE_MS = 60_000;

export interface QualityLedgerOptions {
  /** Time source (the platform Clock fits). Minutes close by this clock, never by data. */
  clock: { now(): number };
  /** A minute closes once the clock passes its end by this much; later data for it is dropped, counted. */
  allowedLatenessMs: number;
  /** Data stamped further than this ahead of the clock is dropped, counted (venue clock or unit bug). Default 60 000. */
  maxFutureMs?: number;
  /** Instruments tracked at most; data for more is dropped, counted. Default 10 000. */
  maxInstruments?: number;
}

export interface QualityLedgerStats {
  instruments: number;
  /** Trades, book updates and tickers folded into a minute. */
  messages: number;
  /** Quality events charged to at least one instrument minute. */
  events: number;
  minutesClosed: number;
  /** Data or events for a minute already closed. */
  lateDropped: number;
  futureDropped: number;
  /** Missing names, non-finite or negative times, or past maxInstruments. */
  invalidDropped: number;
  /** MALFORMED, UNKNOWN_SYMBOL or unknown kinds, and connection-wide events before any instrument of theirs. */
  eventsIgnored: number;
  /** Latencies beyond the histogram's range, recorded at its limit. */
  clampedLatencies: number;
}

type Counter = 'trades' | 'bookUpdates' | 'tickers' | 'sequenceGaps' | 'resyncs' | 'reconnects' | 'staleEvents';

class MinuteAcc {
  trades = 0;
  bookUpdates = 0;
  tickers = 0;
  sequenceGaps = 0;
  resyncs = 0;
  reconnects = 0;
  staleEvents = 0;
  /** 1 for each second of the minute in which something was received. */
  readonly received = new Uint8Array(60);
  readonly latency = new LatencyHistogram();
}

interface InstrumentLedger {
  exchange: string;
  market: string;
  symbol: string;
  /** Start of the oldest minute not yet closed. */
  cursor: number;
  /** Clock time the ledger first saw the instrument: earlier seconds are unobserved, not stale. */
  watchFrom: number;
  minutes: Map<number, MinuteAcc>;
}

const EVENT_COUNTERS: Partial<Record<QualityKind, Counter>> = {
  [QualityKind.QUALITY_KIND_SEQUENCE_GAP]: 'sequenceGaps',
  [QualityKind.QUALITY_KIND_RESYNC]: 'resyncs',
  [QualityKind.QUALITY_KIND_RECONNECT]: 'reconnects',
  [QualityKind.QUALITY_KIND_STALE]: 'staleEvents',
};

const minuteOf = (ts: number) => Math.floor(ts / QUALITY_MINUTE_MS) * QUALITY_MINUTE_MS;
const isName = (v: unknown) => typeof v === 'string' && v.length > 0;
const isTime = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/**
 * The data-quality ledger: folds trades, book updates, tickers and quality events into one
 * QualityMinute per (exchange, market, symbol, minute). Pure: no I/O; time only from the injected clock.
 *
 * - Messages count in the minute of their exchange_ts (the candle's minute; received_ts when the venue
 *   sent no time); quality events in the minute of their ts. An event with an empty symbol concerns a
 *   whole connection and is charged to every instrument of its exchange and market seen so far
 *   (the event does not say which symbols the connection carried: an upper bound).
 * - Receive latency = received_ts − exchange_ts, sampled from every message with a venue time except
 *   book snapshots (those may come over REST with the response's time). See LatencyHistogram for the bound.
 * - Stale seconds: the seconds of the minute in which nothing at all was received for the instrument
 *   (by received_ts, any topic, so the order topics arrive in does not matter). Seconds before the
 *   ledger first saw the instrument are not counted.
 * - `advance()` closes every minute whose end + allowedLateness the clock has passed, empty ones
 *   included (an empty minute is itself a finding), and returns them. A minute is emitted once.
 */
export class QualityLedger {
  private readonly clock: { now(): number };
  private readonly lateness: number;
  private readonly maxFutureMs: number;
  private readonly maxInstruments: number;
  private readonly instruments = new Map<string, InstrumentLedger>();
  /** exchange:market → its instruments, for connection-wide events. */
  private readonly byMarket = new Map<string, InstrumentLedger[]>();
  private readonly st = {
    messages: 0, events: 0, minutesClosed: 0, lateDropped: 0, futureDropped: 0, invalidDropped: 0, eventsIgnored: 0,
  };
  private closedClamped = 0;

  constructor(opts: QualityLedgerOptions) {
    if (!Number.isSafeInteger(opts.allowedLatenessMs) || opts.allowedLatenessMs < 0) {
      throw new RangeError(`quality ledger: allowedLatenessMs must be a non-negative integer, got ${opts.allowedLatenessMs}`);
    }
    this.clock = opts.clock;
    this.lateness = opts.allowedLatenessMs;
    this.maxFutureMs = opts.maxFutureMs ?? 60_000;
    this.maxInstruments = opts.maxInstruments ?? 10_000;
  }

  onTrade(t: Trade): void {
    this.onMessage(t, 'trades', t.exchangeTs, t.receivedTs, true);
  }

  onBookUpdate(b: BookUpdate): void {
    this.onMessage(b, 'bookUpdates', b.exchangeTs, b.receivedTs, !b.snapshot);
  }

  onTicker(t: Ticker): void {
    this.onMessage(t, 'tickers', t.exchangeTs, t.receivedTs, true);
  }

  onQualityEvent(e: QualityEvent): void {
    if (!isName(e.exchange) || !isName(e.market) || typeof e.symbol !== 'string' || !isTime(e.ts)) {
      this.st.invalidDropped++;
      return;
    }
    const counter = EVENT_COUNTERS[e.kind];
    if (counter === undefined) {
      this.st.eventsIgnored++;
      return;
    }
    const targets = e.symbol === '' ? (this.byMarket.get(`${e.exchange}:${e.market}`) ?? []) : [this.instrument(e)];
    let charged = false;
    for (const inst of targets) {
      if (inst === undefined) continue;
      const acc = this.accFor(inst, minuteOf(e.ts));
      if (acc !== undefined) {
        acc[counter]++;
        charged = true;
      }
    }
    if (charged) this.st.events++;
    else if (targets.length === 0) this.st.eventsIgnored++;
  }

  /** Closes the minutes the clock has moved past (end + allowed lateness), oldest first per instrument. */
  advance(): QualityMinute[] {
    const now = this.clock.now();
    const due = now - this.lateness - QUALITY_MINUTE_MS; // minutes starting at or before this are due
    const out: QualityMinute[] = [];
    for (const inst of this.instruments.values()) {
      while (inst.cursor <= due) {
        out.push(this.close(inst, inst.cursor, now));
        inst.minutes.delete(inst.cursor);
        inst.cursor += QUALITY_MINUTE_MS;
      }
    }
    this.st.minutesClosed += out.length;
    return out;
  }

  stats(): QualityLedgerStats {
    let clamped = 0;
    for (const inst of this.instruments.values()) for (const m of inst.minutes.values()) clamped += m.latency.clamped;
    return { ...this.st, instruments: this.instruments.size, clampedLatencies: clamped + this.closedClamped };
  }

  private onMessage(
    ref: { exchange: string; market: string; symbol: string },
    counter: Counter,
    exchangeTs: number,
    receivedTs: number,
    sampleLatency: boolean,
  ): void {
    if (!isName(ref.exchange) || !isName(ref.market) || !isName(ref.symbol) || !isTime(exchangeTs) || !isTime(receivedTs) || receivedTs === 0) {
      this.st.invalidDropped++;
      return;
    }
    const inst = this.instrument(ref);
    if (inst === undefined) return;
    const hasVenueTime = exchangeTs > 0;
    const acc = this.accFor(inst, minuteOf(hasVenueTime ? exchangeTs : receivedTs));
    if (acc !== undefined) {
      acc[counter]++;
      if (sampleLatency && hasVenueTime) acc.latency.add(receivedTs - exchangeTs);
      this.st.messages++;
    }
    // Receipt marks the second it arrived in, even when the data's own minute had closed.
    const receiptMinute = minuteOf(receivedTs);
    const r = receiptMinute === minuteOf(hasVenueTime ? exchangeTs : receivedTs) ? acc : this.accFor(inst, receiptMinute, false);
    if (r !== undefined) r.received[Math.floor((receivedTs - receiptMinute) / 1000)] = 1;
  }

  /** The accumulator of an open minute, or undefined (counted) when it is closed or too far ahead. */
  private accFor(inst: InstrumentLedger, minute: number, count = true): MinuteAcc | undefined {
    if (minute < inst.cursor) {
      if (count) this.st.lateDropped++;
      return undefined;
    }
    if (minute > this.clock.now() + this.maxFutureMs) {
      if (count) this.st.futureDropped++;
      return undefined;
    }
    let acc = inst.minutes.get(minute);
    if (acc === undefined) {
      acc = new MinuteAcc();
      inst.minutes.set(minute, acc);
    }
    return acc;
  }

  private instrument(ref: { exchange: string; market: string; symbol: string }): InstrumentLedger | undefined {
    const key = `${ref.exchange}:${ref.market}:${ref.symbol}`;
    let inst = this.instruments.get(key);
    if (inst === undefined) {
      if (this.instruments.size >= this.maxInstruments) {
        this.st.invalidDropped++;
        return undefined;
      }
      const now = this.clock.now();
      inst = { exchange: ref.exchange, market: ref.market, symbol: ref.symbol, cursor: minuteOf(now), watchFrom: now, minutes: new Map() };
      this.instruments.set(key, inst);
      const mk = `${ref.exchange}:${ref.market}`;
      const list = this.byMarket.get(mk);
      if (list) list.push(inst);
      else this.byMarket.set(mk, [inst]);
    }
    return inst;
  }

  private close(inst: InstrumentLedger, start: number, now: number): QualityMinute {
    const acc = inst.minutes.get(start);
    let stale = 0;
    for (let s = 0; s < 60; s++) {
      // Seconds that ended before the ledger first saw the instrument were not watched.
      if (start + (s + 1) * 1000 > inst.watchFrom && acc?.received[s] !== 1) stale++;
    }
    const hist = acc?.latency;
    const buckets = hist?.buckets() ?? { valuesMs: [], counts: [] };
    this.closedClamped += hist?.clamped ?? 0;
    const trades = acc?.trades ?? 0;
    const bookUpdates = acc?.bookUpdates ?? 0;
    const tickers = acc?.tickers ?? 0;
    return {
      exchange: inst.exchange,
      market: inst.market,
      symbol: inst.symbol,
      windowStart: start,
      messages: trades + bookUpdates + tickers,
      trades,
      bookUpdates,
      tickers,
      sequenceGaps: acc?.sequenceGaps ?? 0,
      resyncs: acc?.resyncs ?? 0,
      reconnects: acc?.reconnects ?? 0,
      staleEvents: acc?.staleEvents ?? 0,
      staleSeconds: stale,
      latencySamples: hist?.count ?? 0,
      latencyP50Ms: hist?.quantile(0.5),
      latencyP99Ms: hist?.quantile(0.99),
      latencyBucketMs: buckets.valuesMs,
      latencyBucketCount: buckets.counts,
      minutes: 1,
      closedAt: now,
    };
  }
}
