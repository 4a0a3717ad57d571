import { INTERVALS, VENUES, type Interval, type Market, type Venue } from '@pricelevel/contracts';
import { parseTimeArg } from '@pricelevel/collector';
import { diffRows, recomputeFeatures, type RowDiff } from '@pricelevel/feature';
import { createLogger, loadConfig, storeFromConfig, systemClock, MAX_QUERY_LIMIT, type Config, type Store } from '@pricelevel/platform';
import { INSTRUMENT_OPTIONS, UsageError, list, parseFlags, venueAndMarket } from './command-args.js';

export const FEATURES_USAGE = `usage: pricelevel features --recompute --symbol <SYM>[,<SYM>…] [--exchange <venue>] [--market spot|perp]
                          [--from <time>] [--to <time>] [--write]

  Recomputes the book features and order flow from the stored snapshots, trades and liquidations with
  the same code the live feature service runs, and compares them with what the service stored: every
  value must be equal (NaN included). With --write the recomputed rows replace the stored ones instead
  (after a change of a definition).

  --exchange     ${VENUES.join(', ')} (default binance)
  --market       spot or perp (default spot)
  --from, --to   2024-01-01, 2024-01-01T12:00Z, epoch ms, or an age (30d, 12h); default: every stored snapshot.
                 The rolling values (changes, volatilities, cumulative delta, z-scores, walls) start from
                 nothing at --from, so compare from the start of a live run to get equality everywhere.
  Settings (lateness, bus slack, flow intervals) come from FEATURE_* in the environment, as for the service.
  Exit codes: 0 equal (or written), 1 differences or failure, 2 bad arguments.`;

interface Plan {
  exchange: Venue;
  market: Market;
  symbols: string[];
  fromTs?: number;
  toTs?: number;
  write: boolean;
}

export interface FeaturesCommandIo {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

/** `pricelevel features --recompute …` */
export async function runFeaturesCommand(argv: string[], env: Record<string, string | undefined>, io: FeaturesCommandIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let config: Config;
  let plan: Plan | 'help';
  try {
    config = loadConfig({ ...env, PL_MODE: 'embedded' });
    plan = parsePlan(argv, systemClock.now());
  } catch (err) {
    stderr.write(`pricelevel features: ${err instanceof Error ? err.message : String(err)}\n\n${FEATURES_USAGE}\n`);
    return 2;
  }
  if (plan === 'help') {
    stdout.write(`${FEATURES_USAGE}\n`);
    return 0;
  }
  const logger = createLogger({ level: env.PL_LOG_LEVEL === undefined ? 'warn' : config.PL_LOG_LEVEL, name: 'pricelevel-features' });
  let store: Store | undefined;
  try {
    store = await storeFromConfig(config, logger);
    await store.migrate();
    let failed = false;
    for (const symbol of plan.symbols) {
      const line = await recomputeOne(store, config, plan, symbol);
      failed ||= !line.ok;
      (line.ok ? stdout : stderr).write(`${line.text}\n`);
    }
    return failed ? 1 : 0;
  } catch (err) {
    stderr.write(`pricelevel features: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    await store?.close().catch(() => undefined);
  }
}

async function recomputeOne(store: Store, config: Config, plan: Plan, symbol: string): Promise<{ ok: boolean; text: string }> {
  const ref = { exchange: plan.exchange, market: plan.market, symbol };
  const label = `${ref.exchange}:${ref.market}:${symbol}`;
  const range = await storedRange(store, ref, plan);
  if (!range) return { ok: false, text: `${label}  no stored snapshots in the range` };
  const flow = { intervals: config.FEATURE_FLOW_INTERVALS, latenessMs: config.FEATURE_LATENESS_MS };
  const intervals = ['1s', ...flow.intervals];
  const book: RowDiff[] = [];
  const flows: RowDiff[] = [];
  const result = await recomputeFeatures({
    store, ref, flow, busSlackMs: config.FEATURE_BUS_SLACK_MS, fromTs: range.fromTs, toTs: range.toTs,
    onPage: async (page) => {
      if (plan.write) {
        await store.insertBookFeatures(page.features);
        await store.insertOrderFlows(page.flows);
        return;
      }
      const q = { ...ref, fromTs: page.fromTs, toTs: page.toTs, limit: MAX_QUERY_LIMIT };
      book.push(diffRows(await store.queryBookFeatures(q), page.features, (f) => String(f.ts)));
      for (const interval of intervals) {
        // Every bucket closed by a snapshot of this page has its close_time in the page.
        const lengthMs = interval === '1s' ? 1000 : INTERVALS[interval as Interval];
        const stored = await store.queryOrderFlows({ ...q, interval, fromTs: page.fromTs - lengthMs });
        const closedHere = stored.filter((f) => f.closeTime >= page.fromTs && f.closeTime < page.toTs);
        flows.push(diffRows(closedHere, page.flows.filter((f) => f.interval === interval), (f) => `${f.interval}:${f.openTime}`));
      }
    },
  });
  const span = `${new Date(range.fromTs).toISOString()} … ${new Date(range.toTs).toISOString()}`;
  if (plan.write) return { ok: true, text: `${label}  ${span}: wrote ${result.seconds} seconds of book features and ${result.flows} order-flow rows` };
  const b = sum(book);
  const f = sum(flows);
  // Only-recomputed rows are the last seconds the live service had not closed when it stopped.
  const ok = b.differing + b.missing + b.extra + f.differing + f.missing === 0;
  const head = `${label}  ${span}: ${result.seconds} seconds, ${result.flows} order-flow rows recomputed; ` +
    `book features ${b.compared} compared, ${b.differing} differ, ${b.missing} only stored, ${b.extra} only recomputed; ` +
    `order flow ${f.compared} compared, ${f.differing} differ, ${f.missing} only stored, ${f.extra} only recomputed`;
  const details = [...b.firstDifferences, ...f.firstDifferences].slice(0, 10).map((d) => `\n    ${d}`).join('');
  return { ok, text: ok ? `${head} — equal` : `${head}${details}` };
}

async function storedRange(store: Store, ref: { exchange: string; market: string; symbol: string }, plan: Plan): Promise<{ fromTs: number; toTs: number } | undefined> {
  const q = { ...ref, fromTs: plan.fromTs ?? 0, toTs: plan.toTs ?? Date.UTC(2299, 0, 1), limit: 1 };
  const [first] = await store.queryBookSnapshots(q);
  const [last] = await store.queryBookSnapshots({ ...q, tail: true });
  if (!first || !last) return undefined;
  return { fromTs: first.ts, toTs: last.ts + 1 };
}

function sum(diffs: RowDiff[]): RowDiff {
  const out: RowDiff = { compared: 0, missing: 0, extra: 0, differing: 0, firstDifferences: [] };
  for (const d of diffs) {
    out.compared += d.compared;
    out.missing += d.missing;
    out.extra += d.extra;
    out.differing += d.differing;
    out.firstDifferences.push(...d.firstDifferences);
  }
  return out;
}

function parsePlan(argv: string[], now: number): Plan | 'help' {
  const values = parseFlags(argv, {
    ...INSTRUMENT_OPTIONS,
    recompute: { type: 'boolean', default: false },
    from: { type: 'string' },
    to: { type: 'string' },
    write: { type: 'boolean', default: false },
  });
  if (values.help) return 'help';
  if (!values.recompute) throw new UsageError('say what to do: --recompute');
  const { venue, market } = venueAndMarket(values.exchange, values.market);
  const symbols = list(values.symbol);
  if (symbols.length === 0) throw new UsageError('--symbol is required');
  const fromTs = values.from !== undefined ? parseTimeArg(values.from, now, '--from') : undefined;
  const toTs = values.to !== undefined ? parseTimeArg(values.to, now, '--to') : undefined;
  if (fromTs !== undefined && toTs !== undefined && toTs <= fromTs) throw new UsageError('--to must be after --from');
  return {
    exchange: venue, market, symbols, write: values.write ?? false,
    ...(fromTs !== undefined ? { fromTs } : {}), ...(toTs !== undefined ? { toTs } : {}),
  };
}
