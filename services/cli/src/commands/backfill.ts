import { VENUE_MARKETS, VENUES, isInterval, type Interval, type Market, type Venue } from '@pricelevel/contracts';
import {
  klineSourceFor, parseTimeArg, progressFor, runBackfillJobs, type BackfillJob, type BackfillOutcome,
} from '@pricelevel/collector';
import {
  createLogger, loadConfig, storeFromConfig, systemClock, type Config, type Store,
} from '@pricelevel/platform';
import { INSTRUMENT_OPTIONS, UsageError, list, parseFlags, venueAndMarkets } from './command-args.js';

export const BACKFILL_USAGE = `usage: pricelevel backfill --exchange <venue> --symbol <SYM>[,<SYM>…] --interval <iv>[,<iv>…]
                          [--market spot|perp] [--since <time>] [--until <time>] [--full]

  Fetches the venue's historical klines over REST into the store (source "exchange"), incrementally:
  each series resumes after its last stored candle and ends at the last closed one.

  --exchange   ${VENUES.join(', ')}
  --market     default: every market the venue has (${VENUES.map((v) => `${v}: ${VENUE_MARKETS[v].join('/')}`).join('; ')})
  --interval   1m, 5m, 15m, 1h, 4h, 1d
  --since      where an empty series starts: 2024-01-01, 2024-01-01T12:00Z, epoch ms, or an age (30d, 12h);
               default PL_BACKFILL_SINCE. A series never reaches back before its first stored candle
               (taken as the venue's first) unless --full is given.
  --until      open times before this (default: up to the last closed candle)
  --full       fetch [since, until) again whatever the store holds (idempotent)

  HTX serves only its latest 2000 candles per interval: older history is reported, not fetched.
  The store is chDB under PL_DATA_DIR (one process per data directory: stop \`pricelevel up\` first)
  or ClickHouse at CLICKHOUSE_URL.`;

export interface BackfillCommandIo {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Stops the run (the command also stops on SIGINT/SIGTERM). */
  signal?: AbortSignal;
  fetch?: typeof globalThis.fetch;
}

interface Plan {
  exchange: Venue;
  markets: Market[];
  symbols: string[];
  intervals: Interval[];
  since: number;
  until?: number;
  full: boolean;
}

/** `pricelevel backfill …`: 0 when every series succeeded, 1 when one failed, 2 on bad arguments, 130 when interrupted. */
export async function runBackfillCommand(argv: string[], env: Record<string, string | undefined>, io: BackfillCommandIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let config: Config;
  let plan: Plan | 'help';
  try {
    config = loadConfig({ ...env, PL_MODE: 'embedded' }); // the backfill needs a store, never a bus
    plan = parsePlan(argv, config, systemClock.now());
  } catch (err) {
    stderr.write(`pricelevel backfill: ${err instanceof Error ? err.message : String(err)}\n\n${BACKFILL_USAGE}\n`);
    return 2;
  }
  if (plan === 'help') {
    stdout.write(`${BACKFILL_USAGE}\n`);
    return 0;
  }
  // On a terminal the bar and the summary speak; logs stay at warn unless PL_LOG_LEVEL asks for more.
  const level = stderr.isTTY && env.PL_LOG_LEVEL === undefined ? 'warn' : config.PL_LOG_LEVEL;
  const logger = createLogger({ level, name: 'pricelevel-backfill', ...(io.stderr ? { destination: io.stderr } : {}) });
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  io.signal?.addEventListener('abort', onSignal, { once: true });
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // The clock's timers (pacing, retry back-off, rate-limit waits) are unref'd: hold the process open.
  const keepAlive = setInterval(() => undefined, 60_000);
  let store: Store | undefined;
  try {
    store = await storeFromConfig(config, logger);
    await store.migrate();
    const jobs: BackfillJob[] = plan.markets.flatMap((market) => {
      const source = klineSourceFor(plan.exchange, market, config, { clock: systemClock, ...(io.fetch ? { fetch: io.fetch } : {}) });
      return plan.symbols.flatMap((symbol) =>
        plan.intervals.map((interval) => ({
          source,
          series: { symbol, interval, since: plan.since, full: plan.full, ...(plan.until !== undefined ? { until: plan.until } : {}) },
        })),
      );
    });
    const outcomes = await runBackfillJobs(jobs, { store, clock: systemClock, logger, signal: abort.signal, progress: progressFor(stderr, logger) });
    for (const o of outcomes) (o.error ? stderr : stdout).write(`${summaryLine(o)}\n`);
    if (abort.signal.aborted) {
      stderr.write('interrupted: what was stored stays; run the same command again to resume\n');
      return 130;
    }
    return outcomes.some((o) => o.error) ? 1 : 0;
  } catch (err) {
    stderr.write(`pricelevel backfill: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    clearInterval(keepAlive);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    io.signal?.removeEventListener('abort', onSignal);
    await store?.close().catch(() => undefined);
  }
}

/** Validated arguments; throws UsageError naming what is wrong. */
function parsePlan(argv: string[], config: Config, now: number): Plan | 'help' {
  const values = parseFlags(argv, {
    ...INSTRUMENT_OPTIONS,
    exchange: { type: 'string' },
    market: { type: 'string' },
    interval: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    full: { type: 'boolean', default: false },
  });
  if (values.help) return 'help';
  const { venue, markets } = venueAndMarkets(values.exchange, values.market);
  const symbols = list(values.symbol);
  if (symbols.length === 0) throw new UsageError('--symbol is required');
  const intervals = list(values.interval);
  if (intervals.length === 0) throw new UsageError('--interval is required');
  const bad = intervals.find((i) => !isInterval(i));
  if (bad !== undefined) throw new UsageError(`unknown interval ${JSON.stringify(bad)}; one of 1m, 5m, 15m, 1h, 4h, 1d`);
  const since = parseTimeArg(values.since ?? config.PL_BACKFILL_SINCE, now, '--since');
  const until = values.until !== undefined ? parseTimeArg(values.until, now, '--until') : undefined;
  if (until !== undefined && until <= since) throw new UsageError('--until must be after --since');
  return { exchange: venue, markets, symbols, intervals: intervals as Interval[], since, full: values.full ?? false, ...(until !== undefined ? { until } : {}) };
}

/** One line per series: what was stored, where the store now ends, or why it failed. */
export function summaryLine(o: BackfillOutcome): string {
  const label = `${o.exchange}:${o.market}:${o.result?.symbol ?? o.symbol} ${o.interval}`;
  if (o.error) return `${label}  failed: ${o.error.message}`;
  const r = o.result!;
  const ends = r.lastOpenTime !== undefined ? `; store ends at ${new Date(r.lastOpenTime).toISOString()}` : '; the venue has no candles in the range';
  const gap = r.unreachable ? `; ${new Date(r.unreachable.from).toISOString()} … ${new Date(r.unreachable.to).toISOString()} is no longer served by the venue` : '';
  const what = r.requests === 0 ? 'up to date (0 requests)' : `stored ${r.stored} candles in ${r.requests} requests`;
  return `${label}  ${what}${ends}${gap}`;
}
