import { INTERVAL_NAMES, isInterval, type GetFeaturesRequest } from '@pricelevel/contracts';
import type { SeriesQuery } from '@pricelevel/platform';
import { checkInstrumentAnd } from './candle-query.js';
import { invalid, type InstrumentCatalog, type RequestProblem } from './instruments.js';
import type { GatewayLimits } from './limits.js';
import { checkRange, checkTimestamps, fail, resolveLimit, type Resolved } from './query-args.js';

/** The order-flow bucket of the per-second features; candle intervals are the other flow buckets. */
export const SECOND_FLOW = '1s';
/** flow_interval that asks GetFeatures / WatchFeatures for book features only. */
export const NO_FLOW = 'none';
const FLOW_NAMES = [SECOND_FLOW, ...INTERVAL_NAMES];

/** "1s" or a candle interval; `allowNone` also accepts "none". "" is the caller's to default. */
export function checkFlowInterval(interval: string, allowNone: boolean): RequestProblem | undefined {
  if (interval === SECOND_FLOW || isInterval(interval) || (allowNone && interval === NO_FLOW)) return undefined;
  const names = allowNone ? [...FLOW_NAMES, NO_FLOW] : FLOW_NAMES;
  return invalid(`flow interval ${JSON.stringify(interval)} is unknown: one of ${names.join(', ')}`);
}

/** flow_interval of a request: "" = "1s"; undefined for "none". */
export function flowIntervalOf(requested: string): string | undefined {
  if (requested === '') return SECOND_FLOW;
  return requested === NO_FLOW ? undefined : requested;
}

/** A WatchFeatures request (or feature channel): collected instrument, known flow interval. */
export function checkFeatureWatch(req: { exchange: string; market: string; symbol: string; flowInterval: string }, catalog: InstrumentCatalog): RequestProblem | undefined {
  return checkInstrumentAnd(req, catalog, req.flowInterval === '' ? undefined : checkFlowInterval(req.flowInterval, true));
}

/** What one GetFeatures call reads: the same range and limit for every series. */
export interface FeatureQuery {
  series: SeriesQuery;
  /** Order-flow bucket to read; undefined for "none". */
  flowInterval: string | undefined;
  withSnapshots: boolean;
}

/**
 * Turns a GetFeatures request into store queries, or says why not. Pure: `now` comes from the caller's clock.
 * to_ts 0 = now; from_ts 0 = the newest `limit` rows of each series before to_ts (a tail query, so a
 * gap in the data does not shorten the answer), looking back at most `maxRangeMs`.
 */
export function resolveFeatureQuery(
  req: GetFeaturesRequest,
  ctx: { catalog: InstrumentCatalog; limits: GatewayLimits; now: number },
): Resolved<FeatureQuery> {
  const instrumentOrFlow = checkFeatureWatch(req, ctx.catalog);
  if (instrumentOrFlow?.kind === 'invalid') return fail(instrumentOrFlow);

  const { featureMaxRows, featureMaxSnapshotRows, featureDefaultRows, maxRangeMs } = ctx.limits;
  const maxRows = req.withSnapshots ? Math.min(featureMaxRows, featureMaxSnapshotRows) : featureMaxRows;
  const limit = resolveLimit(req.limit, maxRows, Math.min(featureDefaultRows, maxRows));
  if (!limit.ok) return limit;
  const badTs = checkTimestamps(req);
  if (badTs) return fail(badTs);
  const toTs = req.toTs === 0 ? ctx.now : req.toTs;
  const tail = req.fromTs === 0;
  const fromTs = tail ? Math.max(0, toTs - maxRangeMs) : req.fromTs;
  const badRange = checkRange(fromTs, toTs, maxRangeMs);
  if (badRange) return fail(badRange);

  // Well-formed throughout; the last refusal left is "not collected".
  if (instrumentOrFlow) return fail(instrumentOrFlow);
  const { exchange, market, symbol } = req;
  return {
    ok: true,
    value: {
      series: { exchange, market, symbol, fromTs, toTs, limit: limit.value, tail },
      flowInterval: flowIntervalOf(req.flowInterval),
      withSnapshots: req.withSnapshots,
    },
  };
}
