import { INTERVALS, INTERVAL_NAMES, isInterval, type GetCandlesRequest } from '@pricelevel/contracts';
import type { CandleQuery } from '@pricelevel/platform';
import { invalid, type InstrumentCatalog, type RequestProblem } from './instruments.js';
import type { GatewayLimits } from './limits.js';

export const CANDLE_SOURCES = ['trades', 'exchange'] as const;
/** Year 9999: anything later is a unit mistake (µs or ns instead of ms). */
const MAX_TS_MS = 253_402_300_799_999;

export type Resolved<T> = { ok: true; value: T } | { ok: false; problem: RequestProblem };

export function checkInterval(interval: string): RequestProblem | undefined {
  if (!interval) return invalid(`interval is required: one of ${INTERVAL_NAMES.join(', ')}`);
  if (!isInterval(interval)) return invalid(`interval ${JSON.stringify(interval)} is unknown: one of ${INTERVAL_NAMES.join(', ')}`);
  return undefined;
}

/**
 * Validates an (instrument, interval) pair such as a WatchCandles request or a WebSocket channel.
 * Malformed input in any field is reported before "not collected".
 */
export function checkInstrumentAndInterval(
  req: { exchange: string; market: string; symbol: string; interval: string },
  catalog: InstrumentCatalog,
): RequestProblem | undefined {
  const instrument = catalog.check(req);
  if (instrument?.kind === 'invalid') return instrument;
  return checkInterval(req.interval) ?? instrument;
}

/**
 * Turns a GetCandles request into a store query, or says why not. Pure: `now` comes from the caller's clock.
 * to_ts 0 = now; from_ts 0 = `limit` buckets back from to_ts (the bucket holding to_ts − 1 included).
 */
export function resolveCandleQuery(
  req: GetCandlesRequest,
  ctx: { catalog: InstrumentCatalog; limits: GatewayLimits; now: number },
): Resolved<CandleQuery> {
  const instrumentOrInterval = checkInstrumentAndInterval(req, ctx.catalog);
  if (instrumentOrInterval?.kind === 'invalid') return fail(instrumentOrInterval);

  const source = req.source === '' ? 'trades' : req.source;
  if (!(CANDLE_SOURCES as readonly string[]).includes(source)) {
    return fail(invalid(`source ${JSON.stringify(req.source)} is unknown: "trades" (default) or "exchange"`));
  }

  const { maxRows, defaultRows, maxRangeMs } = ctx.limits;
  if (!Number.isInteger(req.limit) || req.limit < 0) return fail(invalid(`limit must be >= 0, got ${req.limit}`));
  if (req.limit > maxRows) return fail(invalid(`limit ${req.limit} exceeds the maximum of ${maxRows}`));
  const limit = req.limit === 0 ? defaultRows : req.limit;

  for (const [name, v] of [['from_ts', req.fromTs], ['to_ts', req.toTs]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) return fail(invalid(`${name} must be a non-negative ms timestamp, got ${v}`));
    if (v > MAX_TS_MS) return fail(invalid(`${name} ${v} is beyond year 9999: timestamps are in milliseconds`));
  }
  const toTs = req.toTs === 0 ? ctx.now : req.toTs;
  const intervalMs = INTERVALS[req.interval as keyof typeof INTERVALS];
  const fromTs = req.fromTs === 0 ? Math.max(0, alignDown(toTs - 1, intervalMs) - (limit - 1) * intervalMs) : req.fromTs;
  if (fromTs >= toTs) return fail(invalid(`from_ts (${fromTs}) must be before to_ts (${toTs})`));
  if (toTs - fromTs > maxRangeMs) {
    return fail(invalid(`range of ${toTs - fromTs} ms exceeds the maximum of ${maxRangeMs} ms: narrow from_ts/to_ts`));
  }

  // Well-formed throughout; the last refusal left is "not collected".
  if (instrumentOrInterval) return fail(instrumentOrInterval);
  return {
    ok: true,
    value: { exchange: req.exchange, market: req.market, symbol: req.symbol, interval: req.interval, fromTs, toTs, limit, source },
  };
}

function alignDown(ts: number, step: number): number {
  return Math.floor(ts / step) * step;
}

function fail<T>(problem: RequestProblem): Resolved<T> {
  return { ok: false, problem };
}
