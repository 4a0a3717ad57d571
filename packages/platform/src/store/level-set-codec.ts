import { LevelSet, type Level } from '@pricelevel/contracts';
import { FROM_TS, INSTRUMENT_WHERE, TO_TS } from './query-sql.js';
import type { RowCodec } from './row-codecs.js';
import { decodeF64, encodeF64, isName, isTs, ms, num, str } from './row-values.js';

/**
 * Row mapping of the `level_sets` table (migration 9). The scalars of a LevelSet are columns; its levels
 * (`levels`, `nearest_support`, `nearest_resistance`) are one String column holding them as a protobuf
 * LevelSet, base64. Protobuf because it is what levels.v1 carries: a stored set reads back as the message
 * a bus consumer received (doubles as their 8 bytes, NaN included), new proto fields need no migration,
 * and it is ~3× smaller than JSON. ts-proto's JSON would not do: it writes NaN as null and reads it as 0.
 * Base64 because a String in JSON formats must be valid UTF-8 text.
 */

/** Far more levels than any detector keeps; a bigger set is a bug, not a level set. */
export const MAX_LEVELS_PER_SET = 10_000;

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;
const isInt32 = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= INT32_MIN && (v as number) <= INT32_MAX;
const isSafeInt = (v: unknown): boolean => Number.isSafeInteger(v);
const LEVEL_DOUBLES = ['price', 'zoneLow', 'zoneHigh', 'touchVolumeRatio', 'score', 'distanceAtr'] as const satisfies readonly (keyof Level)[];
const LEVEL_INT32S = ['kind', 'touches', 'bounces', 'breaks', 'falseBreakouts'] as const satisfies readonly (keyof Level)[];

/** Why a level would not survive protobuf encoding unchanged, or undefined. */
function levelProblem(l: Level | undefined, where: string): string | undefined {
  if (typeof l !== 'object' || l === null) return `${where} must be a Level object`;
  if (typeof l.id !== 'string') return `${where}.id must be a string`;
  for (const k of LEVEL_DOUBLES) if (typeof l[k] !== 'number') return `${where}.${k} must be a number`;
  for (const k of LEVEL_INT32S) if (!isInt32(l[k])) return `${where}.${k} must be a 32-bit integer`;
  if (!Array.isArray(l.sources) || !l.sources.every(isInt32)) return `${where}.sources must be an array of enum values`;
  if (!Array.isArray(l.timeframes) || !l.timeframes.every((t) => typeof t === 'string')) return `${where}.timeframes must be an array of strings`;
  if (!isSafeInt(l.firstTouchTs) || !isSafeInt(l.lastTouchTs)) return `${where}.firstTouchTs and lastTouchTs must be integers`;
  return undefined;
}

function levelsProblem(s: LevelSet): string | undefined {
  if (!Array.isArray(s.levels)) return 'levels must be an array';
  if (s.levels.length > MAX_LEVELS_PER_SET) return `more than ${MAX_LEVELS_PER_SET} levels`;
  for (let i = 0; i < s.levels.length; i++) {
    const problem = levelProblem(s.levels[i], `levels[${i}]`);
    if (problem) return problem;
  }
  return (s.nearestSupport === undefined ? undefined : levelProblem(s.nearestSupport, 'nearestSupport'))
    ?? (s.nearestResistance === undefined ? undefined : levelProblem(s.nearestResistance, 'nearestResistance'));
}

function encodeLevels(s: LevelSet): string {
  // Only the levels: the scalars are columns (protobuf leaves out the empty ones).
  const bytes = LevelSet.encode({
    exchange: '', market: '', symbol: '', version: 0, computedAt: 0, currentPrice: 0, atr: 0,
    levels: s.levels, nearestSupport: s.nearestSupport, nearestResistance: s.nearestResistance,
  }).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export const levelSetCodec: RowCodec<LevelSet> = {
  table: 'level_sets',
  columns: ['exchange', 'market', 'symbol', 'version', 'computed_at', 'current_price', 'atr', 'level_count', 'levels'],
  select: ['exchange', 'market', 'symbol', 'version', ms('computed_at'), 'current_price', 'atr', 'level_count', 'levels'],
  // ~150 bytes of base64 per level: 200 sets of 1000 levels stay ~30 MB per statement.
  maxChunkRows: 200,
  problem(s) {
    if (!isName(s.exchange) || !isName(s.market) || !isName(s.symbol)) return 'exchange, market and symbol must be non-empty strings';
    if (!Number.isSafeInteger(s.version) || s.version < 0) return 'version must be a non-negative integer';
    if (!isTs(s.computedAt)) return 'computedAt must be an epoch ms integer';
    if (typeof s.currentPrice !== 'number' || typeof s.atr !== 'number') return 'currentPrice and atr must be numbers';
    return levelsProblem(s);
  },
  encode: (s) => [
    s.exchange, s.market, s.symbol, s.version, s.computedAt, encodeF64(s.currentPrice), encodeF64(s.atr), s.levels.length, encodeLevels(s),
  ],
  decode: (r) => {
    const { levels, nearestSupport, nearestResistance } = LevelSet.decode(Buffer.from(str(r[8]), 'base64'));
    return {
      exchange: str(r[0]),
      market: str(r[1]),
      symbol: str(r[2]),
      version: num(r[3]),
      computedAt: num(r[4]),
      currentPrice: decodeF64(r[5]),
      atr: decodeF64(r[6]),
      levels,
      nearestSupport,
      nearestResistance,
    };
  },
};

/**
 * The latest write of each version with computed_at in [fromTs, toTs), oldest first ({limit} of them;
 * `tail`: the newest, ordered newest first here, the caller reverses). Keys are chosen first on the
 * narrow columns, so the wide `levels` column is read only where a returned row lies: a `tail` of 1 over
 * 5000 sets of 300 levels took 45 ms on chDB, reading them all 10 s. `db` is a quoted identifier; values
 * are parameters.
 */
export function levelSetsSql(db: string, tail: boolean): string {
  const dir = tail ? 'DESC' : 'ASC';
  const range = `${INSTRUMENT_WHERE} AND computed_at >= ${FROM_TS} AND computed_at < ${TO_TS}`;
  return `SELECT ${levelSetCodec.select.join(', ')} FROM ${db}.level_sets
      WHERE ${range}
        AND (version, written_at) IN (
          SELECT version, max(written_at) FROM ${db}.level_sets
          WHERE ${range}
          GROUP BY version
          ORDER BY argMax(computed_at, written_at) ${dir}, version ${dir}
          LIMIT {limit:UInt64})
      ORDER BY computed_at ${dir}, version ${dir}
      LIMIT 1 BY version`;
}
