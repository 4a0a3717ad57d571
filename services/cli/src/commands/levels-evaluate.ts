import { readFile } from 'node:fs/promises';
import { VENUES, type Candle, type Market, type Venue } from '@pricelevel/contracts';
import { parseTimeArg } from '@pricelevel/collector';
import {
  DEFAULT_BOUNCE_MULTIPLE, MIN_RANDOM_DRAWS, TIMEFRAME_MS, defaultHorizonBars, defaultStepBars, detectLevels, evaluateLevels, parseBarsCsv,
  withDetectorHistory,
  type Bar, type EvaluationBucket, type LevelEvaluation, type LevelTimeframe, type TimeframeBars,
} from '@pricelevel/levels';
import { createLogger, loadConfig, storeFromConfig, systemClock, type Config, type Store } from '@pricelevel/platform';
import { INSTRUMENT_OPTIONS, UsageError, parseFlags, venueAndMarket } from './command-args.js';

export const LEVELS_EVALUATE_USAGE = `usage: pricelevel levels evaluate --symbol <SYM> --interval 1d|4h|1h --from <time> --to <time>
                                  [--exchange <venue>] [--market spot|perp]
                                  [--candles-1d <file>] [--candles-4h <file>] [--candles-1h <file>]
                                  [--step <bars>] [--horizon <bars>] [--bounce-multiple <m>]
                                  [--draws 200] [--seed 1] [--json]

  Walk-forward test of the level detector: at every step (a close of an --interval bar in [from, to]) the
  levels are computed from the bars closed by then only; the bars up to the next step are scanned for
  touches (price entering a zone from outside), each one a bounce (price leaves on the approach side by
  --bounce-multiple zone widths), a break (a close beyond the far side) or unresolved within --horizon
  bars. The same scan runs on random levels (closes of the past year at 0.5-1.5x each level's distance
  from the price, same zone width; --draws sets) and on round numbers (same zone widths).

  --interval        the timeframe stepped through and scanned
  --from, --to      2024-01-01, 2024-01-01T12:00Z, epoch ms, or an age (30d, 12h)
  --candles-1d/4h/1h
                    CSV files open_time_ms,open,high,low,close,volume instead of the store (the --interval
                    one is required; a timeframe without a file is left out of the detection)
  --exchange        ${VENUES.join(', ')} (default binance; store only)
  --market          spot or perp (default spot; store only)
  --step            bars between recomputes (default one day: 1d 1, 4h 6, 1h 24)
  --horizon         bars a touch has to resolve (default 1d 10, 4h 30, 1h 72)
  --bounce-multiple zone widths of a bounce (default ${DEFAULT_BOUNCE_MULTIPLE})
  --draws           random level sets and bootstrap iterations (default and minimum ${MIN_RANDOM_DRAWS})
  --seed            seed of the random levels and the bootstrap (default 1)
  --json            print the result as JSON (bounce_rate, random_bounce_rate, lift, lift_ci_low,
                    lift_ci_high, round_bounce_rate, touches, buckets, …) instead of a table

  Without files the candles come from the store: venue klines (source "exchange", see backfill), else
  candles built from trades. lift = bounce_rate / random_bounce_rate; its 95 % interval is a percentile
  bootstrap over moving blocks of steps, each iteration paired with one random draw.
  Exit codes: 0 evaluated, 1 failed or no data, 2 bad arguments.`;

export interface LevelsEvaluateIo {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

const TIMEFRAMES: readonly LevelTimeframe[] = ['1d', '4h', '1h'];
const KEY = { '1d': 'd1', '4h': 'h4', '1h': 'h1' } as const satisfies Record<LevelTimeframe, keyof TimeframeBars>;
/** Rows per store query; a full page is continued after its last open time. */
const PAGE_LIMIT = 10_000;

interface Plan {
  exchange: Venue;
  market: Market;
  symbol: string;
  interval: LevelTimeframe;
  from: number;
  to: number;
  files: Partial<Record<LevelTimeframe, string>>;
  stepBars: number;
  horizonBars: number;
  bounceMultiple: number;
  draws: number;
  seed: number;
  json: boolean;
}

/**
 * `pricelevel levels evaluate …` (argv: the arguments after `evaluate`): 0 when evaluated, 1 on failure
 * or no data, 2 on bad arguments.
 */
export async function runLevelsEvaluate(argv: string[], env: Record<string, string | undefined>, io: LevelsEvaluateIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let plan: Plan | 'help';
  try {
    plan = parsePlan(argv, systemClock.now());
  } catch (err) {
    stderr.write(`pricelevel levels evaluate: ${err instanceof Error ? err.message : String(err)}\n\n${LEVELS_EVALUATE_USAGE}\n`);
    return 2;
  }
  if (plan === 'help') {
    stdout.write(`${LEVELS_EVALUATE_USAGE}\n`);
    return 0;
  }
  try {
    const { bars, sources } = Object.keys(plan.files).length > 0 ? await barsFromFiles(plan, stderr) : await barsFromStore(plan, env);
    const result = evaluateLevels({
      bars, interval: plan.interval, fromTs: plan.from, toTs: plan.to, stepBars: plan.stepBars, horizonBars: plan.horizonBars,
      bounceMultiple: plan.bounceMultiple, randomDraws: plan.draws, seed: plan.seed,
    }, (b) => detectLevels(withDetectorHistory(b)));
    if (result.steps === 0) {
      stderr.write(`pricelevel levels evaluate: no data: no ${plan.interval} bar of ${label(plan)} closes in [${iso(plan.from)}, ${iso(plan.to)}] with ${plan.horizonBars} bars after it\n`);
      return 1;
    }
    if (plan.json) stdout.write(`${JSON.stringify({ exchange: plan.exchange, market: plan.market, symbol: plan.symbol, candles: sources, ...result }, null, 2)}\n`);
    else stdout.write(table(plan, sources, result));
    return 0;
  } catch (err) {
    stderr.write(`pricelevel levels evaluate: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

function parsePlan(argv: string[], now: number): Plan | 'help' {
  const values = parseFlags(argv, {
    ...INSTRUMENT_OPTIONS,
    interval: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    'candles-1d': { type: 'string' },
    'candles-4h': { type: 'string' },
    'candles-1h': { type: 'string' },
    step: { type: 'string' },
    horizon: { type: 'string' },
    'bounce-multiple': { type: 'string' },
    draws: { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (values.help) return 'help';
  const symbol = (values.symbol ?? '').trim();
  if (symbol === '') throw new UsageError('--symbol is required');
  if (!/^[A-Za-z0-9_.-]+$/.test(symbol)) throw new UsageError(`--symbol ${JSON.stringify(symbol)} is not a symbol`);
  const { venue, market } = venueAndMarket(values.exchange, values.market);
  if (values.interval === undefined) throw new UsageError('--interval is required: 1d, 4h or 1h');
  if (!(TIMEFRAMES as readonly string[]).includes(values.interval)) throw new UsageError(`--interval must be 1d, 4h or 1h, got ${JSON.stringify(values.interval)}`);
  const interval = values.interval as LevelTimeframe;
  if (values.from === undefined) throw new UsageError('--from is required');
  if (values.to === undefined) throw new UsageError('--to is required');
  const from = parseTimeArg(values.from, now, '--from');
  const to = parseTimeArg(values.to, now, '--to');
  if (to <= from) throw new UsageError(`--to (${iso(to)}) must be after --from (${iso(from)})`);
  const files: Partial<Record<LevelTimeframe, string>> = {};
  for (const tf of TIMEFRAMES) {
    const file = values[`candles-${tf}`];
    if (file === undefined) continue;
    if (file.trim() === '') throw new UsageError(`--candles-${tf} must name a file`);
    files[tf] = file;
  }
  if (Object.keys(files).length > 0 && files[interval] === undefined) {
    throw new UsageError(`--candles-${interval} is required with candle files: the ${interval} bars are the ones scanned`);
  }
  const draws = integer(values.draws, MIN_RANDOM_DRAWS, '--draws', 1);
  if (draws < MIN_RANDOM_DRAWS) throw new UsageError(`--draws must be at least ${MIN_RANDOM_DRAWS}, got ${draws}`);
  const bounceMultiple = values['bounce-multiple'] === undefined ? DEFAULT_BOUNCE_MULTIPLE : Number(values['bounce-multiple']);
  if (!Number.isFinite(bounceMultiple) || !(bounceMultiple > 0)) {
    throw new UsageError(`--bounce-multiple must be a number > 0, got ${JSON.stringify(values['bounce-multiple'])}`);
  }
  return {
    exchange: venue, market, symbol, interval, from, to, files,
    stepBars: integer(values.step, defaultStepBars(interval), '--step', 1),
    horizonBars: integer(values.horizon, defaultHorizonBars(interval), '--horizon', 1),
    bounceMultiple,
    draws,
    seed: integer(values.seed, 1, '--seed', 0),
    json: values.json ?? false,
  };
}

function integer(text: string | undefined, fallback: number, what: string, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${what} must be an integer ≥ ${min}, got ${JSON.stringify(text)}`);
  }
  return n;
}

type Sources = Partial<Record<LevelTimeframe, { source: string; bars: number }>>;

async function barsFromFiles(plan: Plan, stderr: NodeJS.WritableStream): Promise<{ bars: TimeframeBars; sources: Sources }> {
  const bars: TimeframeBars = { d1: [], h4: [], h1: [] };
  const sources: Sources = {};
  for (const tf of TIMEFRAMES) {
    const file = plan.files[tf];
    if (file === undefined) {
      stderr.write(`note: no --candles-${tf}: the levels are detected without ${tf} bars\n`);
      continue;
    }
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new Error(`--candles-${tf}: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    let parsed: Bar[];
    try {
      parsed = parseBarsCsv(text);
    } catch (err) {
      throw new Error(`--candles-${tf} ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    bars[KEY[tf]] = parsed.filter((b) => b.openTime + TIMEFRAME_MS[tf] <= plan.to);
    sources[tf] = { source: file, bars: bars[KEY[tf]].length };
  }
  return { bars, sources };
}

async function barsFromStore(plan: Plan, env: Record<string, string | undefined>): Promise<{ bars: TimeframeBars; sources: Sources }> {
  const config: Config = loadConfig({ ...env, PL_MODE: 'embedded' }); // reads the store, never a bus
  const logger = createLogger({ level: env.PL_LOG_LEVEL === undefined ? 'warn' : config.PL_LOG_LEVEL, name: 'pricelevel-levels' });
  let store: Store | undefined;
  try {
    store = await storeFromConfig(config, logger);
    await store.migrate();
    const bars: TimeframeBars = { d1: [], h4: [], h1: [] };
    const sources: Sources = {};
    for (const tf of TIMEFRAMES) {
      // Venue klines are complete history; candles built from trades only cover what was collected live.
      for (const source of ['exchange', 'trades']) {
        const candles = await allCandles(store, plan, tf, source);
        if (candles.length === 0) continue;
        bars[KEY[tf]] = candles;
        sources[tf] = { source, bars: candles.length };
        break;
      }
    }
    if (bars[KEY[plan.interval]].length === 0) throw new Error(`no data: the store has no ${plan.interval} candles of ${label(plan)} (backfill them first)`);
    return { bars, sources };
  } finally {
    await store?.close().catch(() => undefined);
  }
}

/** Every closed candle of a series up to plan.to (all the history the detector may use), page by page. */
async function allCandles(store: Store, plan: Plan, tf: LevelTimeframe, source: string): Promise<Bar[]> {
  const tfMs = TIMEFRAME_MS[tf];
  const out: Bar[] = [];
  let cursor = 0;
  const end = plan.to - tfMs + 1; // open times whose bar closes by plan.to
  while (cursor < end) {
    const page: Candle[] = await store.queryCandles({
      exchange: plan.exchange, market: plan.market, symbol: plan.symbol, interval: tf, source, fromTs: cursor, toTs: end, limit: PAGE_LIMIT,
    });
    for (const c of page) {
      if (c.final === false && source === 'trades') continue; // a candle still open when it was stored
      out.push({ openTime: c.openTime, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume });
    }
    if (page.length < PAGE_LIMIT) break;
    cursor = page[page.length - 1]!.openTime + 1;
  }
  return out;
}

const iso = (t: number) => new Date(t).toISOString();
const label = (p: Plan) => `${p.exchange}:${p.market}:${p.symbol}`;
const num = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : '-');

function table(plan: Plan, sources: Sources, r: LevelEvaluation): string {
  const lines: string[] = [];
  const from = TIMEFRAMES.map((tf) => `${tf} ${sources[tf] ? `${sources[tf].bars} (${sources[tf].source})` : 'none'}`).join(', ');
  lines.push(`${label(plan)} ${plan.interval}  ${iso(r.from_ts)} → ${iso(r.to_ts)}`);
  lines.push(`bars: ${from}`);
  lines.push(`steps ${r.steps} (every ${r.step_bars} bar${r.step_bars === 1 ? '' : 's'}), horizon ${r.horizon_bars} bars, bounce ≥ ${r.bounce_multiple} zone width, ${r.random_draws} random draws, seed ${r.seed}`);
  lines.push('');
  lines.push(`${'levels'.padEnd(18)}${'touches'.padStart(9)}${'bounce_rate'.padStart(13)}`);
  lines.push(`${'detector'.padEnd(18)}${String(r.touches).padStart(9)}${num(r.bounce_rate).padStart(13)}   (${r.bounces} bounces, ${r.breaks} breaks, ${r.unresolved} unresolved)`);
  lines.push(`${'random (per draw)'.padEnd(18)}${String(r.random_touches).padStart(9)}${num(r.random_bounce_rate).padStart(13)}`);
  lines.push(`${'round numbers'.padEnd(18)}${String(r.round_touches).padStart(9)}${num(r.round_bounce_rate).padStart(13)}`);
  lines.push('');
  lines.push(`lift ${num(r.lift)}  95 % CI [${num(r.lift_ci_low)}, ${num(r.lift_ci_high)}]   round_lift ${num(r.round_lift)}`);
  for (const [name, buckets] of [['by_score_decile', r.by_score_decile], ['by_age', r.by_age], ['by_prior_bounces', r.by_prior_bounces]] as const) {
    lines.push('');
    lines.push(`${name.padEnd(18)}${'touches'.padStart(9)}${'bounce_rate'.padStart(13)}`);
    for (const b of buckets as EvaluationBucket[]) lines.push(`  ${b.label.padEnd(16)}${String(b.touches).padStart(9)}${num(b.bounce_rate).padStart(13)}`);
  }
  return `${lines.join('\n')}\n`;
}
