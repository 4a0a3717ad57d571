import type { Interval } from '@pricelevel/contracts';
import { backfillSeries, type BackfillDeps, type BackfillResult, type BackfillSeries } from './backfill-runner.js';
import type { KlineSource } from './kline-source.js';

export interface BackfillJob {
  source: KlineSource;
  series: BackfillSeries;
}

export interface BackfillOutcome {
  exchange: string;
  market: string;
  symbol: string;
  interval: Interval;
  result?: BackfillResult;
  error?: Error;
}

/**
 * Runs jobs one at a time per venue market (they share its rate limit) and venue markets side by
 * side. A failing series is reported and the rest go on; an abort stops every queue.
 */
export async function runBackfillJobs(jobs: readonly BackfillJob[], deps: Omit<BackfillDeps, 'source'>): Promise<BackfillOutcome[]> {
  const queues = new Map<string, BackfillJob[]>();
  for (const j of jobs) {
    const k = `${j.source.exchange}:${j.source.market}`;
    queues.set(k, [...(queues.get(k) ?? []), j]);
  }
  const outcomes = new Map<BackfillJob, BackfillOutcome>();
  await Promise.all(
    [...queues.values()].map(async (queue) => {
      for (const job of queue) {
        const base = { exchange: job.source.exchange, market: job.source.market, symbol: job.series.symbol, interval: job.series.interval };
        if (deps.signal?.aborted) {
          outcomes.set(job, { ...base, error: new Error('aborted before it started') });
          continue;
        }
        try {
          const result = await backfillSeries(job.series, { ...deps, source: job.source });
          outcomes.set(job, { ...base, symbol: result.symbol, result });
        } catch (err) {
          const error = err instanceof Error ? err : new Error(String(err));
          if (!deps.signal?.aborted) deps.logger.error({ series: `${base.exchange}:${base.market}:${base.symbol} ${base.interval}`, err: error.message }, 'backfill failed');
          outcomes.set(job, { ...base, error });
        }
      }
    }),
  );
  return jobs.map((j) => outcomes.get(j)!);
}
