/**
 * Value checks and conversions shared by the row codecs (see row-codecs.ts for the row conventions).
 *
 * Doubles that may be NaN, ±Infinity or -0 cannot travel as JSON numbers: JSON.stringify writes NaN
 * and ±Infinity as null (a non-Nullable Float64 column then stores 0) and -0 as 0. They travel as the
 * strings ClickHouse's float parser reads ("nan", "inf", "-inf", "-0"), and come back as "nan", "inf",
 * "-inf" with output_format_json_quote_denormals = 1 (see ClickHouseStore.select); -0 comes back as the
 * JSON number -0. Finite values are exact both ways: the engine prints the shortest round-trip form
 * and parses with precise_float_parsing = 1 (set by createChdbStore and httpClientConfig; servers
 * before 25.x default to a fast parser that is an ulp off for about a third of random doubles).
 */

/** DateTime64(3) ends at 2299-12-31; anything outside is a unit bug (s vs ms vs µs). */
export const MAX_TS_MS = Date.UTC(2299, 11, 31);
export const UINT32_MAX = 4_294_967_295;
export const INT32_MAX = 2_147_483_647;
const INT64_LIMIT = 2 ** 63;

export const isText = (v: unknown): v is string => typeof v === 'string';
export const isName = (v: unknown): boolean => typeof v === 'string' && v.length > 0;
export const isFiniteNum = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
export const isTs = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_TS_MS;
export const isCount = (v: unknown, max: number): boolean => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= max;
export const isInt64 = (v: unknown): boolean => Number.isInteger(v) && Math.abs(v as number) < INT64_LIMIT;
export const isBool = (v: unknown): v is boolean => typeof v === 'boolean';

export function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}
export function str(v: unknown): string {
  return typeof v === 'string' ? v : String(v);
}
export function bool(v: unknown): boolean {
  return v === true || v === 1 || v === 'true';
}
export const ms = (col: string): string => `toUnixTimestamp64Milli(${col})`;

/** A double as a JSON value that keeps NaN, ±Infinity and the sign of zero. */
export function encodeF64(v: number): number | string {
  if (Number.isFinite(v)) return v === 0 && 1 / v < 0 ? '-0' : v;
  return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
}

/** encodeF64 over an array; the array itself when every value is already a plain JSON number (no copy). */
export function encodeF64s(values: readonly number[]): readonly (number | string)[] {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v) || (v === 0 && 1 / v < 0)) return values.map(encodeF64);
  }
  return values;
}

const SPECIAL_FLOATS: ReadonlyMap<string, number> = new Map([
  ['nan', Number.NaN], ['-nan', Number.NaN], ['+nan', Number.NaN],
  ['inf', Number.POSITIVE_INFINITY], ['+inf', Number.POSITIVE_INFINITY], ['-inf', Number.NEGATIVE_INFINITY],
]);

/** A Float64 as read back: a JSON number, or a quoted "nan" / "inf" / "-inf" (any quoted number too). */
export function decodeF64(v: unknown): number {
  if (typeof v === 'number') return v;
  const s = str(v);
  return SPECIAL_FLOATS.get(s.toLowerCase()) ?? Number(s);
}

/** An Array(Float64) as read back; the array itself when it holds only JSON numbers (no copy). */
export function decodeF64s(v: unknown): number[] {
  if (!Array.isArray(v)) return [];
  for (const x of v) if (typeof x !== 'number') return v.map(decodeF64);
  return v as number[];
}

/** Every element is a number (NaN and ±Infinity included). */
export function isNumbers(v: unknown): v is number[] {
  if (!Array.isArray(v)) return false;
  for (const x of v) if (typeof x !== 'number') return false;
  return true;
}

/** Every element is a finite number. */
export function isFiniteNumbers(v: unknown): v is number[] {
  if (!Array.isArray(v)) return false;
  for (const x of v) if (typeof x !== 'number' || !Number.isFinite(x)) return false;
  return true;
}

/** ts-proto's field name for a snake_case proto field: `price_change_1s` → `priceChange1s`. */
export type Camel<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;

export function camel<S extends string>(snake: S): Camel<S> {
  return snake.replace(/_(.)/g, (_, c: string) => c.toUpperCase()) as Camel<S>;
}
