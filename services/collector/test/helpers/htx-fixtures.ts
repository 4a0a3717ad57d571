import { fixtureLines, fixtureText } from './fixtures.js';

/** HTX fixture lines (decompressed text frames), see fixtures/htx. */
export const htxLines = (name: string): string[] => fixtureLines(`htx/${name}`);
export const htxText = (name: string): string => fixtureText(`htx/${name}`);

/** The real gzip frames as bytes, in arrival order. */
export function htxGzipFrames(): Buffer[] {
  return htxLines('ws_raw_gzip_frames.real.b64.jsonl').map((l) => Buffer.from((JSON.parse(l) as { gzip_b64: string }).gzip_b64, 'base64'));
}

/**
 * A JSON number literal (`1.98E-4`, `716.0`, `3.358149508E7`) as a plain decimal string, by moving the
 * decimal point in the text: no floating point involved, so it is an independent reference.
 */
export function literalToPlain(lit: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(lit);
  if (!m) throw new Error(`not a number literal: ${lit}`);
  const [, sign, int, frac = '', exp = '0'] = m;
  let digits = int! + frac;
  let point = int!.length + Number(exp);
  if (point <= 0) {
    digits = '0'.repeat(1 - point) + digits;
    point = 1;
  }
  if (point > digits.length) digits = digits.padEnd(point, '0');
  let i = digits.slice(0, point).replace(/^0+(?=\d)/, '');
  const f = digits.slice(point).replace(/0+$/, '');
  if (i === '') i = '0';
  return `${sign}${i}${f ? `.${f}` : ''}`;
}

/** A JS number as a plain decimal string (its shortest round-trip digits, no exponent). */
export function numberToPlain(n: number): string {
  const s = String(n);
  return /e/i.test(s) ? literalToPlain(s) : s.replace(/\.0+$/, '');
}

/** Every `[price,size]` pair literal of the array following `"key":` in a frame's raw text. */
export function levelLiterals(text: string, key: 'bids' | 'asks'): [string, string][] {
  const at = text.indexOf(`"${key}":[`);
  if (at < 0) return [];
  let depth = 0;
  let end = at + key.length + 3;
  for (; end < text.length; end++) {
    if (text[end] === '[') depth++;
    else if (text[end] === ']' && --depth === 0) break;
  }
  const body = text.slice(at + key.length + 3, end + 1);
  return [...body.matchAll(/\[\s*([-0-9.eE+]+)\s*,\s*([-0-9.eE+]+)\s*\]/g)].map((m) => [m[1]!, m[2]!]);
}

/** Literal text of `"field":<number>` occurrences in a raw frame, in order. */
export function fieldLiterals(text: string, field: string): string[] {
  return [...text.matchAll(new RegExp(`"${field}"\\s*:\\s*([-0-9.eE+]+)`, 'g'))].map((m) => m[1]!);
}
