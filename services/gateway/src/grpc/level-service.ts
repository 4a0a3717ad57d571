import { status as Status, type ServerUnaryCall, type ServerWritableStream, type sendUnaryData } from '@grpc/grpc-js';
import {
  instrumentKey, type EvaluateLevelsRequest, type EvaluateLevelsResponse, type GetLevelHistoryRequest, type GetLevelHistoryResponse,
  type GetLevelsRequest, type GetNearestLevelsRequest, type GetNearestLevelsResponse, type LevelServiceServer, type LevelSet,
  type WatchLevelsRequest,
} from '@pricelevel/contracts';
import { loadTimeframeBars } from '@pricelevel/level-detector';
import type { HistoryDays } from '@pricelevel/levels';
import type { Clock, Store } from '@pricelevel/platform';
import { EvaluationFailed, type EvaluationRunner } from '../evaluation-runner.js';
import type { InstrumentCatalog } from '../instruments.js';
import type { LatestLevels } from '../latest-levels.js';
import { barsProblem, evaluationOptions, evaluationResponse, historyToLoad, resolveEvaluation, type EvaluationPlan } from '../level-evaluation.js';
import { filterLevels, nearestLevels, noLevelsYet, resolveLevelHistoryQuery, resolveLevelsRequest, resolveNearestRequest } from '../level-query.js';
import { CallError, callHelpers, type CallDeps } from './calls.js';

export interface LevelServiceDeps extends CallDeps {
  store: Store;
  levels: LatestLevels;
  catalog: InstrumentCatalog;
  clock: Clock;
  evaluations: EvaluationRunner;
  /** The history the live level detector reads per timeframe; evaluations give the detector the same. */
  detectorHistory: HistoryDays;
}

/**
 * LevelService: the current sets (held in memory, see LatestLevels), their history (the store) and
 * walk-forward evaluations over the stored candles (on a worker thread, see EvaluationRunner).
 */
export function createLevelService(deps: LevelServiceDeps): LevelServiceServer {
  const { store, levels, catalog, limits, clock, logger, metrics, evaluations } = deps;
  const { refuse, answer, openStream } = callHelpers(deps);

  function getLevels(call: ServerUnaryCall<GetLevelsRequest, LevelSet>, callback: sendUnaryData<LevelSet>): void {
    const resolved = resolveLevelsRequest(call.request, catalog);
    if (!resolved.ok) return callback(refuse(resolved.problem));
    const set = levels.get(call.request);
    if (!set) return callback(refuse(noLevelsYet(call.request)));
    callback(null, filterLevels(set, resolved.value));
  }

  function getNearestLevels(call: ServerUnaryCall<GetNearestLevelsRequest, GetNearestLevelsResponse>, callback: sendUnaryData<GetNearestLevelsResponse>): void {
    const resolved = resolveNearestRequest(call.request, catalog);
    if (!resolved.ok) return callback(refuse(resolved.problem));
    const set = levels.get(call.request);
    if (!set) return callback(refuse(noLevelsYet(call.request)));
    callback(null, nearestLevels(set, resolved.value));
  }

  function watchLevels(call: ServerWritableStream<WatchLevelsRequest, LevelSet>): void {
    const req = call.request;
    openStream(call, catalog.check(req), {
      method: 'WatchLevels',
      key: instrumentKey(req),
      // One instrument per stream: a newer set replaces the one waiting for a slow client.
      pendingKey: () => 0,
      sent: () => metrics.grpcLevelSetsSent++,
      dropped: () => metrics.grpcLevelSetsDropped++,
      attach: (push) => {
        const current = levels.get(req);
        if (current) push(current);
        return [levels.onNewer(req, push)];
      },
    });
  }

  function getLevelHistory(call: ServerUnaryCall<GetLevelHistoryRequest, GetLevelHistoryResponse>, callback: sendUnaryData<GetLevelHistoryResponse>): void {
    const resolved = resolveLevelHistoryQuery(call.request, { catalog, limits, now: clock.now() });
    if (!resolved.ok) return callback(refuse(resolved.problem));
    const query = resolved.value;
    answer(call, callback, 'GetLevelHistory', query, async () => ({ sets: await store.queryLevelSets(query) }));
  }

  async function evaluate(plan: EvaluationPlan, signal: AbortSignal): Promise<EvaluateLevelsResponse> {
    const bars = await loadTimeframeBars(store, plan, plan.toTs, historyToLoad(plan, deps.detectorHistory));
    const problem = barsProblem(plan, bars);
    if (problem) throw new CallError({ code: Status.FAILED_PRECONDITION, details: problem });
    try {
      const result = await evaluations.run({ options: evaluationOptions(plan, bars), history: deps.detectorHistory }, signal);
      metrics.evaluations++;
      return evaluationResponse(result);
    } catch (err) {
      if (err instanceof CallError) metrics.evaluationsStopped++;
      if (!(err instanceof EvaluationFailed)) throw err;
      logger.error({ err, plan }, 'EvaluateLevels: the evaluation failed');
      throw new CallError({ code: Status.INTERNAL, details: 'the evaluation failed (logged by the gateway)' });
    }
  }

  function evaluateLevels(call: ServerUnaryCall<EvaluateLevelsRequest, EvaluateLevelsResponse>, callback: sendUnaryData<EvaluateLevelsResponse>): void {
    const resolved = resolveEvaluation(call.request, { catalog, now: clock.now() });
    if (!resolved.ok) return callback(refuse(resolved.problem));
    const release = evaluations.acquire();
    if (!release) {
      metrics.evaluationsRefusedBusy++;
      return callback({ code: Status.RESOURCE_EXHAUSTED, details: 'this gateway is already running an evaluation; retry later' });
    }
    const abort = new AbortController();
    call.on('cancelled', () => abort.abort());
    answer(call, callback, 'EvaluateLevels', resolved.value, () => evaluate(resolved.value, abort.signal).finally(release));
  }

  return { getLevels, getNearestLevels, watchLevels, getLevelHistory, evaluateLevels };
}
