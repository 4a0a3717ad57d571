import { INTERVALS, INTERVAL_NAMES, isInterval, type GetCandlesRequest } from '@pricelevel/contracts';
import type { CandleQuery } from '@pricelevel/platform';
import { invalid, type InstrumentCatalog, type RequestProblem } from './instruments.js';
import type { GatewayLimits } from './limits.js';
import { checkRange, checkTimestamps, fail, resolveLimit, type Resolved } from './query-args.js';

export const CANDLE_SOURCES = ['trades', 'exchange'] as const;

export function checkInterval(interval: string): RequestProblem | undefined {
  if (!interval) return invalid(`interval is required: one of ${INTERVAL_NAMES.join(', ')}`);
  if (!isInterval(interval)) return invalid(`interval ${JSON.stringify(interval)} is unknown: one of ${INTERVAL_NAMES.join(', ')}`);
  return undefined;
}

/**
 * Validates an instrument plus one more field (an interval, a flow interval), such as a WatchCandles
 * request or a WebSocket channel. Malformed input in any field is reported before "not collected".
 */
export function checkInstrumentAnd(
  req: { exchange: string; market: string; symbol: string },
  catalog: InstrumentCatalog,
  other: RequestProblem | undefined,
): RequestProblem | undefined {
  const instrument = catalog.check(req);
  if (instrument?.kind === 'invalid') return instrument;
  return other ?? instrument;
}

export function checkInstrumentAndInterval(
  req: { exchange: string; market: string; symbol: string; interval: string },
  catalog: InstrumentCatalog,
): RequestProblem | undefined {
  return checkInstrumentAnd(req, catalog, checkInterval(req.interval));
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

  const limit = resolveLimit(req.limit, ctx.limits.maxRows, ctx.limits.defaultRows);
  if (!limit.ok) return limit;
  const badTs = checkTimestamps(req);
  if (badTs) return fail(badTs);
  const toTs = req.toTs === 0 ? ctx.now : req.toTs;
  const intervalMs = INTERVALS[req.interval as keyof typeof INTERVALS];
  const fromTs = req.fromTs === 0 ? Math.max(0, alignDown(toTs - 1, intervalMs) - (limit.value - 1) * intervalMs) : req.fromTs;
  const badRange = checkRange(fromTs, toTs, ctx.limits.maxRangeMs);
  if (badRange) return fail(badRange);

  // Well-formed throughout; the last refusal left is "not collected".
  if (instrumentOrInterval) return fail(instrumentOrInterval);
  return {
    ok: true,
    value: { exchange: req.exchange, market: req.market, symbol: req.symbol, interval: req.interval, fromTs, toTs, limit: limit.value, source },
  };
}

function alignDown(ts: number, step: number): number {
  return Math.floor(ts / step) * step;
}
