import path from 'node:path';
import { VENUES, type Market, type Venue } from '@pricelevel/contracts';
import { parseTimeArg } from '@pricelevel/collector';
import {
  NpyStream, SequenceWindower, TIMESTEP_FEATURES, featureCsvHeader, featureCsvRows, sequenceSidecar, type SequenceSymbolRange,
  type SequenceWindowStats,
} from '@pricelevel/market';
import {
  createLogger, loadConfig, storeFromConfig, systemClock, type Config, type Store,
} from '@pricelevel/platform';
import { exportProgressFor, type ExportProgressSink } from './export-progress.js';
import { OutputFile } from './output-file.js';
import { INSTRUMENT_OPTIONS, UsageError, parseFlags, venueAndMarket, list } from './command-args.js';

export const EXPORT_USAGE = `usage: pricelevel export --symbol <SYM>[,<SYM>…] --from <time> --to <time> --format csv|npy
                        [--exchange <venue>] [--market spot|perp] [--out <path>] [--timesteps 60] [--stride 10]

  Writes stored features of [from, to) as a dataset, reading the store an hour at a time and writing as
  it goes (memory stays flat however long the range).

  --format csv   one row per second: the book features joined with the 1 s order flow that ends at that
                 second; columns exchange,market,symbol,ts then the proto field names (snake_case);
                 NaN, and every flow column of a second without order flow, is an empty field
  --format npy   float32 tensor (samples, timesteps, 400) of normalized 100-level books, plus <out>.json
                 (shape, feature names, normalization, each symbol's sample range) and
                 <out>.window_end_ts.npy (int64 ms of each sample's last timestep)
  --symbol       one or more; samples and rows are grouped per symbol in the order given
  --exchange     ${VENUES.join(', ')} (default binance)
  --market       spot or perp (default spot)
  --from, --to   2024-01-01, 2024-01-01T12:00Z, epoch ms, or an age (30d, 12h)
  --out          default ./<exchange>-<market>-<symbols>.<format>
  --timesteps    seconds per sample (npy only; default 60)
  --stride       seconds from one sample's start to the next (npy only; default 10)

  A sample never spans a missing second or a resyncing book. Exit codes: 0 written, 1 failed or no data,
  2 bad arguments, 130 interrupted; a file is only ever left complete (written as <file>.partial, then renamed).
  The store is chDB under PL_DATA_DIR (one process per data directory: stop \`pricelevel up\` first)
  or ClickHouse at CLICKHOUSE_URL.`;

/** Each store query covers at most this much time; a page holding more than PAGE_LIMIT rows is continued. */
const PAGE_MS = 3_600_000;
const PAGE_LIMIT = 10_000;
const STEP_MS = 1000;

export interface ExportCommandIo {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Stops the run (the command also stops on SIGINT/SIGTERM). */
  signal?: AbortSignal;
}

interface Instrument {
  exchange: Venue;
  market: Market;
  symbol: string;
}

interface Plan {
  exchange: Venue;
  market: Market;
  symbols: string[];
  from: number;
  to: number;
  format: 'csv' | 'npy';
  out: string;
  timesteps: number;
  stride: number;
}

class NoDataError extends Error {}
class Interrupted extends Error {}

/** `pricelevel export …`: 0 when written, 1 on failure or no data, 2 on bad arguments, 130 when interrupted. */
export async function runExportCommand(argv: string[], env: Record<string, string | undefined>, io: ExportCommandIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let config: Config;
  let plan: Plan | 'help';
  try {
    config = loadConfig({ ...env, PL_MODE: 'embedded' }); // the export needs a store, never a bus
    plan = parsePlan(argv, systemClock.now());
  } catch (err) {
    stderr.write(`pricelevel export: ${err instanceof Error ? err.message : String(err)}\n\n${EXPORT_USAGE}\n`);
    return 2;
  }
  if (plan === 'help') {
    stdout.write(`${EXPORT_USAGE}\n`);
    return 0;
  }
  // On a terminal the bar and the summary speak; logs stay at warn unless PL_LOG_LEVEL asks for more.
  const level = stderr.isTTY && env.PL_LOG_LEVEL === undefined ? 'warn' : config.PL_LOG_LEVEL;
  const logger = createLogger({ level, name: 'pricelevel-export', ...(io.stderr ? { destination: io.stderr } : {}) });
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  io.signal?.addEventListener('abort', onSignal, { once: true });
  if (io.signal?.aborted) abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let store: Store | undefined;
  try {
    store = await storeFromConfig(config, logger);
    await store.migrate();
    const progress = exportProgressFor(stderr, logger);
    const lines = plan.format === 'csv' ? await exportCsv(store, plan, progress, abort.signal) : await exportNpy(store, plan, progress, abort.signal);
    stdout.write(lines.map((l) => `${l}\n`).join(''));
    return 0;
  } catch (err) {
    if (err instanceof Interrupted) {
      stderr.write('\ninterrupted: nothing was written\n');
      return 130;
    }
    stderr.write(`pricelevel export: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    io.signal?.removeEventListener('abort', onSignal);
    await store?.close().catch(() => undefined);
  }
}

/** Validated arguments; throws UsageError naming what is wrong. */
function parsePlan(argv: string[], now: number): Plan | 'help' {
  const values = parseFlags(argv, {
    ...INSTRUMENT_OPTIONS,
    from: { type: 'string' },
    to: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    timesteps: { type: 'string' },
    stride: { type: 'string' },
  });
  if (values.help) return 'help';
  const symbols = list(values.symbol);
  if (symbols.length === 0) throw new UsageError('--symbol is required');
  if (new Set(symbols).size !== symbols.length) throw new UsageError(`--symbol lists a symbol twice: ${symbols.join(',')}`);
  const { venue, market } = venueAndMarket(values.exchange, values.market);
  if (values.from === undefined) throw new UsageError('--from is required');
  if (values.to === undefined) throw new UsageError('--to is required');
  const from = parseTimeArg(values.from, now, '--from');
  const to = parseTimeArg(values.to, now, '--to');
  if (to <= from) throw new UsageError(`--to (${new Date(to).toISOString()}) must be after --from (${new Date(from).toISOString()})`);
  if (values.format === undefined) throw new UsageError('--format is required: csv or npy');
  if (values.format !== 'csv' && values.format !== 'npy') throw new UsageError(`unknown format ${JSON.stringify(values.format)}; csv or npy`);
  const format = values.format;
  if (format === 'csv' && (values.timesteps !== undefined || values.stride !== undefined)) {
    throw new UsageError('--timesteps and --stride apply to --format npy only');
  }
  const timesteps = positiveInt(values.timesteps, 60, '--timesteps');
  const stride = positiveInt(values.stride, 10, '--stride');
  const out = values.out ?? `${venue}-${market}-${symbols.join('_')}.${format}`;
  if (out.trim() === '') throw new UsageError('--out must name a file');
  return { exchange: venue, market, symbols, from, to, format, out, timesteps, stride };
}

function positiveInt(text: string | undefined, fallback: number, what: string): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`${what} must be a positive integer, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

const label = (i: Instrument) => `${i.exchange}:${i.market}:${i.symbol}`;

/**
 * Every row of [fromTs, toTs) in one or more queries (a query returning PAGE_LIMIT rows is continued
 * after its last row), rows at or before `after` dropped so a series stays strictly increasing.
 */
async function readRange<T>(
  query: (fromTs: number, toTs: number, limit: number) => Promise<T[]>,
  tsOf: (row: T) => number,
  fromTs: number,
  toTs: number,
  after = -Infinity,
): Promise<T[]> {
  const rows: T[] = [];
  let cursor = fromTs;
  let last = after;
  for (;;) {
    const page = await query(cursor, toTs, PAGE_LIMIT);
    for (const r of page) {
      if (tsOf(r) > last) {
        rows.push(r);
        last = tsOf(r);
      }
    }
    if (page.length < PAGE_LIMIT) return rows;
    const next = tsOf(page[page.length - 1]!) + 1;
    if (next <= cursor) throw new Error(`the store returned ${PAGE_LIMIT} rows at one time ${cursor}; the page cannot advance`);
    cursor = next;
  }
}

/** Walks each symbol's range page by page, reporting progress; `visit` does the page's work. */
async function walkPages(
  plan: Plan,
  signal: AbortSignal,
  progress: ExportProgressSink,
  unit: 'rows' | 'samples',
  written: () => number,
  visit: (inst: Instrument, fromTs: number, toTs: number) => Promise<void>,
  perSymbol: (inst: Instrument) => Promise<void> | void,
): Promise<void> {
  const span = plan.to - plan.from;
  const total = span * plan.symbols.length;
  for (const [i, symbol] of plan.symbols.entries()) {
    const inst: Instrument = { exchange: plan.exchange, market: plan.market, symbol };
    for (let t = plan.from; t < plan.to; ) {
      if (signal.aborted) throw new Interrupted();
      const next = Math.min(t + PAGE_MS, plan.to);
      await visit(inst, t, next);
      t = next;
      progress({ label: label(inst), done: i * span + (t - plan.from), total, written: written(), unit, at: t }, false);
    }
    await perSymbol(inst);
  }
  if (signal.aborted) throw new Interrupted();
  const lastInst = plan.symbols[plan.symbols.length - 1]!;
  progress({ label: label({ ...plan, symbol: lastInst }), done: total, total, written: written(), unit, at: plan.to }, true);
}

async function exportCsv(store: Store, plan: Plan, progress: ExportProgressSink, signal: AbortSignal): Promise<string[]> {
  const file = await OutputFile.create(plan.out);
  const lines: string[] = [];
  let rows = 0;
  try {
    await file.write(featureCsvHeader());
    let symbolRows = 0;
    let symbolFlows = 0;
    let lastTs = -Infinity;
    await walkPages(plan, signal, progress, 'rows', () => rows, async (inst, fromTs, toTs) => {
      const features = await readRange((f, t, limit) => store.queryBookFeatures({ ...inst, fromTs: f, toTs: t, limit }), (r) => r.ts, fromTs, toTs, lastTs);
      if (features.length === 0) return;
      lastTs = features[features.length - 1]!.ts;
      // A 1 s flow joins the row of its close_time; fetch by open_time from one step before the page.
      const flows = await readRange(
        (f, t, limit) => store.queryOrderFlows({ ...inst, interval: '1s', fromTs: f, toTs: t, limit }),
        (r) => r.openTime, fromTs - STEP_MS, toTs,
      );
      const closes = new Set(flows.filter((fl) => fl.interval === '1s').map((fl) => fl.closeTime));
      await file.write(featureCsvRows(features, flows));
      rows += features.length;
      symbolRows += features.length;
      symbolFlows += features.filter((f) => closes.has(f.ts)).length;
    }, (inst) => {
      lines.push(`${label(inst)}  ${symbolRows} rows (${symbolFlows} with order flow)`);
      symbolRows = 0;
      symbolFlows = 0;
      lastTs = -Infinity;
    });
    if (rows === 0) throw new NoDataError(noDataMessage(plan, 'book features'));
    await file.commit();
  } catch (err) {
    await file.discard();
    throw err;
  }
  lines.push(`wrote ${rows} rows to ${plan.out}`);
  return lines;
}

async function exportNpy(store: Store, plan: Plan, progress: ExportProgressSink, signal: AbortSignal): Promise<string[]> {
  const base = plan.out.endsWith('.npy') ? plan.out.slice(0, -'.npy'.length) : plan.out;
  const dataPath = `${base}.npy`;
  const endsPath = `${base}.window_end_ts.npy`;
  const sidecarPath = `${base}.json`;
  const data = new NpyStream('<f4', [plan.timesteps, TIMESTEP_FEATURES]);
  const ends = new NpyStream('<i8', []);
  const files: OutputFile[] = [];
  const lines: string[] = [];
  const ranges: SequenceSymbolRange[] = [];
  const symbolStats: string[] = [];
  let snapshots = 0;
  try {
    const dataFile = await OutputFile.create(dataPath);
    files.push(dataFile);
    const endsFile = await OutputFile.create(endsPath);
    files.push(endsFile);
    const sidecarFile = await OutputFile.create(sidecarPath);
    files.push(sidecarFile);
    await dataFile.write(data.header());
    await endsFile.write(ends.header());
    let windower = new SequenceWindower({ timesteps: plan.timesteps, stride: plan.stride, stepMs: STEP_MS });
    let start = 0;
    let lastTs = -Infinity;
    await walkPages(plan, signal, progress, 'samples', () => data.rows, async (inst, fromTs, toTs) => {
      const snaps = await readRange((f, t, limit) => store.queryBookSnapshots({ ...inst, fromTs: f, toTs: t, limit }), (r) => r.ts, fromTs, toTs, lastTs);
      if (snaps.length === 0) return;
      lastTs = snaps[snaps.length - 1]!.ts;
      snapshots += snaps.length;
      const endTs: bigint[] = [];
      for (const s of snaps) {
        const w = windower.push(s);
        if (w === undefined) continue;
        await dataFile.write(data.append(w.data));
        endTs.push(BigInt(w.endTs));
      }
      if (endTs.length > 0) await endsFile.write(ends.append(BigInt64Array.from(endTs)));
    }, (inst) => {
      ranges.push({ ...inst, start, end: data.rows });
      lines.push(`${label(inst)}  samples [${start}, ${data.rows})  ${statsText(windower.stats)}`);
      symbolStats.push(`${label(inst)}: ${statsText(windower.stats)}`);
      start = data.rows;
      windower = new SequenceWindower({ timesteps: plan.timesteps, stride: plan.stride, stepMs: STEP_MS });
      lastTs = -Infinity;
    });
    if (snapshots === 0) throw new NoDataError(noDataMessage(plan, 'book snapshots'));
    if (data.rows === 0) {
      throw new NoDataError(
        `no complete sample: ${snapshots} snapshots found but no run of ${plan.timesteps} consecutive in-sync seconds (${symbolStats.join('; ')})`,
      );
    }
    await dataFile.writeAt(data.finalHeader(), 0);
    await endsFile.writeAt(ends.finalHeader(), 0);
    const sidecar = sequenceSidecar({
      dataFile: path.basename(dataPath),
      windowEndTsFile: path.basename(endsPath),
      timesteps: plan.timesteps,
      stride: plan.stride,
      stepMs: STEP_MS,
      from: plan.from,
      to: plan.to,
      symbols: ranges,
    });
    await sidecarFile.write(`${JSON.stringify(sidecar, null, 2)}\n`);
    for (const f of files) await f.commit();
  } catch (err) {
    for (const f of files) await f.discard();
    throw err;
  }
  lines.push(`wrote ${data.rows} samples, shape (${data.shape.join(', ')}) float32, to ${dataPath}; sidecar ${sidecarPath}; window ends ${endsPath}`);
  return lines;
}

function statsText(s: SequenceWindowStats): string {
  return `${s.snapshots} snapshots, ${s.gaps} gaps, ${s.resyncing} resyncing, ${s.unusable} unusable`;
}

function noDataMessage(plan: Plan, what: string): string {
  return `no data: the store has no ${what} for ${plan.symbols.map((s) => `${plan.exchange}:${plan.market}:${s}`).join(', ')} in [${new Date(plan.from).toISOString()}, ${new Date(plan.to).toISOString()})`;
}
