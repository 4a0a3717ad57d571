import { VENUES, levelKindToJSON, levelSourceToJSON, type LevelSet, type Market, type Venue } from '@pricelevel/contracts';
import { loadTimeframeBars } from '@pricelevel/level-detector';
import { detectLevels } from '@pricelevel/levels';
import { createLogger, loadConfig, storeFromConfig, systemClock, type Config, type Store } from '@pricelevel/platform';
import { runLevelsEvaluate } from './levels-evaluate.js';
import { INSTRUMENT_OPTIONS, UsageError, parseFlags, venueAndMarket } from './command-args.js';

export const LEVELS_USAGE = `usage: pricelevel levels --symbol <SYM> [--exchange <venue>] [--market spot|perp] [--json]
       pricelevel levels evaluate …   (levels evaluate --help)

  Prints the current support/resistance levels of an instrument: the newest set the level detector
  stored, or, when it has stored none, the levels computed now from the stored candles.

  --exchange   ${VENUES.join(', ')} (default binance)
  --market     spot or perp (default spot)
  --json       the LevelSet as JSON instead of a table`;

export interface LevelsCommandIo {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

/** `pricelevel levels …`: 0 printed, 1 nothing to print or failure, 2 bad arguments. */
export async function runLevelsCommand(argv: string[], env: Record<string, string | undefined>, io: LevelsCommandIo = {}): Promise<number> {
  if (argv[0] === 'evaluate') return runLevelsEvaluate(argv.slice(1), env, io);
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let config: Config;
  let plan: { exchange: Venue; market: Market; symbol: string; json: boolean } | 'help';
  try {
    config = loadConfig({ ...env, PL_MODE: 'embedded' });
    plan = parsePlan(argv);
  } catch (err) {
    stderr.write(`pricelevel levels: ${err instanceof Error ? err.message : String(err)}\n\n${LEVELS_USAGE}\n`);
    return 2;
  }
  if (plan === 'help') {
    stdout.write(`${LEVELS_USAGE}\n`);
    return 0;
  }
  const logger = createLogger({ level: env.PL_LOG_LEVEL === undefined ? 'warn' : config.PL_LOG_LEVEL, name: 'pricelevel-levels' });
  let store: Store | undefined;
  try {
    store = await storeFromConfig(config, logger);
    await store.migrate();
    const set = await currentLevels(store, plan, systemClock.now());
    if (!set) {
      stderr.write(`pricelevel levels: no levels and no daily candles stored for ${plan.exchange}:${plan.market}:${plan.symbol}\n`);
      return 1;
    }
    stdout.write(plan.json ? `${JSON.stringify(toJson(set), null, 2)}\n` : `${levelTable(set)}\n`);
    return 0;
  } catch (err) {
    stderr.write(`pricelevel levels: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    await store?.close().catch(() => undefined);
  }
}

async function currentLevels(store: Store, ref: { exchange: string; market: string; symbol: string }, now: number): Promise<LevelSet | undefined> {
  const [stored] = await store.queryLevelSets({ exchange: ref.exchange, market: ref.market, symbol: ref.symbol, fromTs: 0, toTs: now + 1, limit: 1, tail: true });
  if (stored) return stored;
  const bars = await loadTimeframeBars(store, ref, now);
  if (bars.d1.length === 0) return undefined;
  const d = detectLevels(bars);
  return {
    exchange: ref.exchange, market: ref.market, symbol: ref.symbol, version: 0, computedAt: d.asOf, currentPrice: d.currentPrice, atr: d.atr,
    levels: d.levels, nearestSupport: d.nearestSupport, nearestResistance: d.nearestResistance,
  };
}

function toJson(set: LevelSet): unknown {
  return JSON.parse(JSON.stringify(set, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}

const fmt = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : '—');

/** The set as an aligned text table, highest price first, the current price between supports and resistances. */
export function levelTable(set: LevelSet): string {
  const head = `${set.exchange}:${set.market}:${set.symbol}  price ${fmt(set.currentPrice)}  ATR(1d) ${fmt(set.atr)}  ` +
    `as of ${new Date(set.computedAt).toISOString()}  version ${set.version}`;
  const header = ['kind', 'price', 'zone', 'score', 'touches', 'bounces', 'breaks', 'dist ATR', 'timeframes', 'sources', 'last touch'];
  const rows: string[][] = [];
  const sorted = [...set.levels].sort((a, b) => b.price - a.price);
  let marked = false;
  for (const l of sorted) {
    if (!marked && l.price < set.currentPrice) {
      rows.push(['──', fmt(set.currentPrice), 'current price', '', '', '', '', '', '', '', '']);
      marked = true;
    }
    const nearest = l.id === set.nearestSupport?.id || l.id === set.nearestResistance?.id ? ' *' : '';
    rows.push([
      levelKindToJSON(l.kind).replace('LEVEL_KIND_', '').toLowerCase() + nearest,
      fmt(l.price),
      `${fmt(l.zoneLow)}–${fmt(l.zoneHigh)}`,
      fmt(l.score, 3),
      String(l.touches),
      String(l.bounces),
      String(l.breaks),
      fmt(l.distanceAtr),
      l.timeframes.join(','),
      l.sources.map((s) => levelSourceToJSON(s).replace('LEVEL_SOURCE_', '').toLowerCase()).join(','),
      l.lastTouchTs > 0 ? new Date(l.lastTouchTs).toISOString().slice(0, 10) : '',
    ]);
  }
  if (!marked) rows.push(['──', fmt(set.currentPrice), 'current price', '', '', '', '', '', '', '', '']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [head, '', line(header), ...rows.map(line), '', '* nearest support / resistance'].join('\n');
}

function parsePlan(argv: string[]): { exchange: Venue; market: Market; symbol: string; json: boolean } | 'help' {
  const values = parseFlags(argv, { ...INSTRUMENT_OPTIONS, json: { type: 'boolean', default: false } });
  if (values.help) return 'help';
  const { venue, market } = venueAndMarket(values.exchange, values.market);
  if (!values.symbol) throw new UsageError('--symbol is required');
  return { exchange: venue, market, symbol: values.symbol, json: values.json ?? false };
}
