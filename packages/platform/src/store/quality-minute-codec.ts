import type { QualityMinute } from '@pricelevel/contracts';
import type { RowCodec } from './row-codecs.js';
import { isName, isTs, ms, num, str } from './row-values.js';

const MINUTE_MS = 60_000;

const isCount = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const isOptionalNum = (v: unknown): boolean => v === undefined || (typeof v === 'number' && Number.isFinite(v));
const optNum = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : num(v));
const nums = (v: unknown): number[] => (Array.isArray(v) ? v.map(num) : []);

const COUNTS = [
  'messages', 'trades', 'book_updates', 'tickers', 'sequence_gaps', 'resyncs', 'reconnects', 'stale_events', 'stale_seconds',
  'latency_samples',
] as const;

/** Row mapping of the `quality_minutes` table (migration 4); see row-codecs.ts for the conventions. */
export const qualityMinuteCodec: RowCodec<QualityMinute> = {
  table: 'quality_minutes',
  columns: [
    'exchange', 'market', 'symbol', 'window_start', ...COUNTS, 'latency_p50_ms', 'latency_p99_ms',
    'latency_bucket_ms', 'latency_bucket_count', 'minutes', 'closed_at',
  ],
  select: [
    'exchange', 'market', 'symbol', ms('window_start'), ...COUNTS, 'latency_p50_ms', 'latency_p99_ms',
    'latency_bucket_ms', 'latency_bucket_count', 'minutes', ms('closed_at'),
  ],
  problem(m) {
    if (!isName(m.exchange) || !isName(m.market) || !isName(m.symbol)) return 'exchange, market and symbol must be non-empty strings';
    if (!isTs(m.windowStart) || !isTs(m.closedAt)) return 'windowStart and closedAt must be epoch ms integers';
    const counts = [m.messages, m.trades, m.bookUpdates, m.tickers, m.sequenceGaps, m.resyncs, m.reconnects, m.staleEvents, m.staleSeconds, m.latencySamples, m.minutes];
    if (!counts.every(isCount)) return 'counts must be non-negative integers';
    if (!isOptionalNum(m.latencyP50Ms) || !isOptionalNum(m.latencyP99Ms)) return 'latency quantiles must be finite or absent';
    const values = m.latencyBucketMs;
    const bucketCounts = m.latencyBucketCount;
    if (!Array.isArray(values) || !Array.isArray(bucketCounts) || values.length !== bucketCounts.length) {
      return 'latencyBucketMs and latencyBucketCount must be arrays of one length';
    }
    if (!values.every((v) => Number.isFinite(v)) || !bucketCounts.every(isCount)) return 'latency buckets must be finite values with non-negative integer counts';
    return undefined;
  },
  encode: (m) => [
    m.exchange, m.market, m.symbol, m.windowStart, m.messages, m.trades, m.bookUpdates, m.tickers, m.sequenceGaps, m.resyncs,
    m.reconnects, m.staleEvents, m.staleSeconds, m.latencySamples, m.latencyP50Ms ?? null, m.latencyP99Ms ?? null,
    m.latencyBucketMs, m.latencyBucketCount, m.minutes, m.closedAt,
  ],
  decode: (r) => ({
    exchange: str(r[0]),
    market: str(r[1]),
    symbol: str(r[2]),
    windowStart: num(r[3]),
    messages: num(r[4]),
    trades: num(r[5]),
    bookUpdates: num(r[6]),
    tickers: num(r[7]),
    sequenceGaps: num(r[8]),
    resyncs: num(r[9]),
    reconnects: num(r[10]),
    staleEvents: num(r[11]),
    staleSeconds: num(r[12]),
    latencySamples: num(r[13]),
    latencyP50Ms: optNum(r[14]),
    latencyP99Ms: optNum(r[15]),
    latencyBucketMs: nums(r[16]),
    latencyBucketCount: nums(r[17]),
    minutes: num(r[18]),
    closedAt: num(r[19]),
  }),
};

/**
 * SQL for stored ledger minutes in [fromTs, toTs), oldest first: the latest close of each minute, or,
 * with `bucketMs`, those minutes summed per bucket (window_start = bucket start, epoch-aligned) with
 * their histograms merged by bucket value (sumMap); the caller then reads quantiles off the merged
 * histogram (withMergedQuantiles). `db`, `where`, `from` and `to` are trusted SQL fragments.
 */
export function qualityMinutesSql(db: string, where: string, bucketed: boolean): string {
  const latest = `SELECT * FROM ${db}.quality_minutes WHERE ${where}
      ORDER BY window_start, closed_at DESC
      LIMIT 1 BY window_start`;
  if (!bucketed) return `${latest.replace('SELECT *', `SELECT ${qualityMinuteCodec.select.join(', ')}`)} LIMIT {limit:UInt64}`;
  const bucket = `intDiv(${ms('window_start')}, {bucketMs:Int64}) * {bucketMs:Int64}`;
  return `SELECT any(exchange), any(market), any(symbol), ${bucket} AS bucket, ${COUNTS.map((c) => `sum(${c})`).join(', ')},
      CAST(NULL AS Nullable(Float64)), CAST(NULL AS Nullable(Float64)),
      tupleElement(sumMap(latency_bucket_ms, latency_bucket_count), 1), tupleElement(sumMap(latency_bucket_ms, latency_bucket_count), 2),
      sum(minutes), max(${ms('closed_at')})
    FROM (${latest})
    GROUP BY bucket
    ORDER BY bucket
    LIMIT {limit:UInt64}`;
}

export function checkBucketMs(bucketMs: number): number {
  if (!Number.isSafeInteger(bucketMs) || bucketMs < MINUTE_MS || bucketMs % MINUTE_MS !== 0) {
    throw new RangeError(`bucketMs must be a positive multiple of ${MINUTE_MS}, got ${bucketMs}`);
  }
  return bucketMs;
}

/** Fills p50/p99 of an aggregated row from its merged histogram (nearest rank, as the ledger does). */
export function withMergedQuantiles(m: QualityMinute): QualityMinute {
  return { ...m, latencyP50Ms: bucketQuantile(m, 0.5), latencyP99Ms: bucketQuantile(m, 0.99) };
}

function bucketQuantile(m: QualityMinute, q: number): number | undefined {
  // sumMap returns keys sorted ascending; sort anyway so the contract does not rest on that.
  const order = m.latencyBucketMs.map((_, i) => i).sort((a, b) => m.latencyBucketMs[a]! - m.latencyBucketMs[b]!);
  let n = 0;
  for (const c of m.latencyBucketCount) n += c;
  if (n === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * n));
  let seen = 0;
  for (const i of order) {
    seen += m.latencyBucketCount[i]!;
    if (seen >= rank) return m.latencyBucketMs[i];
  }
  return undefined;
}
