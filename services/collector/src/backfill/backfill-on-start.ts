import type { Market, Venue } from '@pricelevel/contracts';
import { configuredInstruments, type Clock, type Config, type Logger } from '@pricelevel/platform';
import type { BackfillStore } from './backfill-runner.js';
import { runBackfillJobs, type BackfillJob, type BackfillOutcome } from './backfill-jobs.js';
import { klineSourceFor, type KlineSourceDeps } from './kline-sources.js';
import { logProgress } from './progress.js';
import { parseTimeArg } from './time-arg.js';

export interface BackfillOnStartOptions {
  /** PL_EXCHANGES × PL_MARKETS × PL_SYMBOLS × PL_BACKFILL_INTERVALS from PL_BACKFILL_SINCE, on the venues' REST URLs. */
  config: Config;
  store: BackfillStore;
  clock: Clock;
  logger: Logger;
  fetch?: typeof globalThis.fetch;
  minGapMs?: KlineSourceDeps['minGapMs'];
}

export interface BackfillHandle {
  /** Every series' outcome; resolves (never rejects) when all are done or stopped. */
  readonly done: Promise<BackfillOutcome[]>;
  /** Aborts what is in flight and waits for it to settle (what was stored stays; the next start resumes). */
  stop(): Promise<void>;
}

/**
 * Starts the backfill of every configured series in the background and returns at once: the
 * collector does not wait for history to go live. Nothing to do when PL_BACKFILL_INTERVALS is empty.
 */
export function backfillOnStart(o: BackfillOnStartOptions): BackfillHandle {
  const abort = new AbortController();
  const log = o.logger.child({ component: 'backfill' });
  const run = async (): Promise<BackfillOutcome[]> => {
    const intervals = o.config.PL_BACKFILL_INTERVALS;
    if (intervals.length === 0) return [];
    const since = parseTimeArg(o.config.PL_BACKFILL_SINCE, o.clock.now(), 'PL_BACKFILL_SINCE');
    const sources = new Map<string, ReturnType<typeof klineSourceFor>>();
    const jobs: BackfillJob[] = [];
    for (const i of configuredInstruments(o.config)) {
      const k = `${i.exchange}:${i.market}`;
      let source = sources.get(k);
      if (!source) {
        source = klineSourceFor(i.exchange as Venue, i.market as Market, o.config, {
          clock: o.clock, ...(o.fetch ? { fetch: o.fetch } : {}), ...(o.minGapMs ? { minGapMs: o.minGapMs } : {}),
        });
        sources.set(k, source);
      }
      for (const interval of intervals) jobs.push({ source, series: { symbol: i.symbol, interval, since } });
    }
    log.info({ series: jobs.length, intervals, since: new Date(since).toISOString() }, 'backfill at start');
    const outcomes = await runBackfillJobs(jobs, { store: o.store, clock: o.clock, logger: o.logger, signal: abort.signal, progress: logProgress(log) });
    const failed = outcomes.filter((x) => x.error).length;
    log.info({ series: outcomes.length, failed, stored: outcomes.reduce((n, x) => n + (x.result?.stored ?? 0), 0) }, 'backfill at start finished');
    return outcomes;
  };
  const done = run().catch((err: unknown) => {
    log.error({ err: String(err) }, 'backfill at start failed');
    return [] as BackfillOutcome[];
  });
  return {
    done,
    async stop() {
      abort.abort();
      await done;
    },
  };
}
