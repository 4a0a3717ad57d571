import type { PriceLevel } from '@pricelevel/contracts';
import type { DepthDiff } from './parsers.js';

/*
 * A hand-written scanner for the one frame shape that dominates the feed: a compact `depthUpdate`
 * (raw, or in a `{"stream":…,"data":…}` envelope), read straight from the text with no intermediate
 * JSON tree. It accepts only a strict subset of JSON — no whitespace, no escapes, known keys each at
 * most once (a level array last, as Binance sends `b` then `a`), ids as plain integers of ≤ 15
 * digits, levels as `["<decimal>","<decimal>"]` — and
 * returns null for anything else, so the caller falls back to JSON.parse, which then accepts or
 * rejects the frame exactly as before. Whatever the scanner does accept, it returns with the values
 * JSON.parse + Number() would give (see readDecimal).
 */

/** 10^0 … 10^22: every one is an exact double (10^k = 2^k·5^k and 5^22 < 2^53). */
const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];
const MAX_FRACTION_DIGITS = 22;

/**
 * Index just past the last token a reader consumed. Module scratch instead of a returned pair, so
 * the hot loop allocates nothing; safe because every use is synchronous and not re-entrant.
 */
let next = 0;

/**
 * Reads `[0-9]+(\.[0-9]+)?` starting at `i` and ending at a `"`; sets `next` to that quote's index.
 * Returns -1 when the text is not of that form or has more than 15 significant digits or more
 * than 22 fraction digits.
 *
 * Exactness: the digits, with the point removed, form an integer m < 10^15 < 2^53, accumulated
 * exactly (each step m·10 + d stays below 10^15); the string denotes exactly the rational m / 10^k
 * with k ≤ 22 fraction digits, and 10^k is an exact double. IEEE-754 division returns the double
 * nearest m / 10^k (ties to even), and ECMAScript's StringToNumber — what Number(str) and +str do —
 * also returns the double nearest the string's mathematical value (ties to even; the spec lets an
 * implementation approximate only beyond 20 significant digits). Both round the same rational by
 * the same rule, so `m / 10^k === Number(str)`, bit for bit (m = 0 gives +0, as Number does).
 */
export function readDecimal(t: string, i: number): number {
  let m = 0;
  let c = t.charCodeAt(i);
  const start = i;
  while (c >= 48 && c <= 57) {
    if (m >= 1e14) return -1; // a 16th significant digit
    m = m * 10 + (c - 48);
    c = t.charCodeAt(++i);
  }
  if (i === start) return -1;
  let k = 0;
  if (c === 46) {
    const fraction = ++i;
    c = t.charCodeAt(i);
    while (c >= 48 && c <= 57) {
      if (m >= 1e14) return -1;
      m = m * 10 + (c - 48);
      c = t.charCodeAt(++i);
    }
    k = i - fraction;
    if (k === 0 || k > MAX_FRACTION_DIGITS) return -1;
  }
  if (c !== 34) return -1;
  next = i;
  return k === 0 ? m : m / (POW10[k] as number);
}

/** A JSON integer `0 | [1-9][0-9]{0,14}` at `i` (always a safe integer); sets `next`; -1 otherwise. */
function readInt(t: string, i: number): number {
  let c = t.charCodeAt(i);
  if (c === 48) {
    next = i + 1; // a leading zero must stand alone: "01" fails at the caller's separator check
    return 0;
  }
  if (!(c >= 49 && c <= 57)) return -1;
  const start = i;
  let n = 0;
  do {
    n = n * 10 + (c - 48);
    c = t.charCodeAt(++i);
  } while (c >= 48 && c <= 57);
  if (i - start > 15) return -1;
  next = i;
  return n;
}

/** Whether `lit` occurs in `t` at `i` (a charCode loop: startsWith costs a builtin call per use). */
function at(t: string, i: number, lit: string): boolean {
  for (let k = 0; k < lit.length; k++) if (t.charCodeAt(i + k) !== lit.charCodeAt(k)) return false;
  return true;
}

/** Index of the closing quote of a string whose body starts at `i`; -1 on an escape, a control character or the end. */
function stringEnd(t: string, i: number): number {
  for (;; i++) {
    const c = t.charCodeAt(i);
    if (c === 34) return i;
    if (c === 92 || !(c >= 32)) return -1; // NaN past the end fails too
  }
}

/**
 * `[["price","size"],…]` at `i` into `out`; returns the index after `]`, or -1. Prices must be > 0,
 * as the JSON path requires; a zero price (or anything else unexpected) goes to the fallback.
 */
function readLevels(t: string, i: number, out: PriceLevel[]): number {
  if (t.charCodeAt(i) !== 91) return -1;
  if (t.charCodeAt(i + 1) === 93) return i + 2;
  i++;
  for (;;) {
    if (t.charCodeAt(i) !== 91 || t.charCodeAt(i + 1) !== 34) return -1;
    const price = readDecimal(t, i + 2);
    if (!(price > 0)) return -1;
    i = next;
    if (t.charCodeAt(i + 1) !== 44 || t.charCodeAt(i + 2) !== 34) return -1;
    const size = readDecimal(t, i + 3);
    if (size < 0) return -1;
    i = next;
    if (t.charCodeAt(i + 1) !== 93) return -1;
    out.push({ price, size });
    const c = t.charCodeAt(i + 2);
    if (c === 93) return i + 3;
    if (c !== 44) return -1;
    i += 3;
  }
}

const K_E = 1;
const K_EVENT_TIME = 2;
const K_T = 4;
const K_S = 8;
const K_FIRST = 16;
const K_LAST = 32;
const K_PU = 64;
const K_B = 128;
const K_A = 256;
const REQUIRED = K_E | K_EVENT_TIME | K_S | K_FIRST | K_LAST | K_B | K_A;
const DEPTH_UPDATE = '"depthUpdate"';

/** The `{…}` payload at `i`; sets `next` past its `}`. */
function readPayload(t: string, i: number, receivedTs: number): DepthDiff | null {
  if (t.charCodeAt(i) !== 123) return null;
  i++;
  let seen = 0;
  let symbol = '';
  let U = -1;
  let u = -1;
  let E = -1;
  let pu: number | undefined;
  let T: number | undefined;
  const bids: PriceLevel[] = [];
  const asks: PriceLevel[] = [];
  for (;;) {
    if (t.charCodeAt(i) !== 34) return null;
    const k1 = t.charCodeAt(i + 1);
    let key: number;
    let v: number;
    if (t.charCodeAt(i + 2) === 34 && t.charCodeAt(i + 3) === 58) {
      key = k1;
      v = i + 4;
    } else if (k1 === 112 && t.charCodeAt(i + 2) === 117 && t.charCodeAt(i + 3) === 34 && t.charCodeAt(i + 4) === 58) {
      key = 0; // "pu"
      v = i + 5;
    } else return null;
    let bit: number;
    switch (key) {
      case 101: // e
        if (!at(t, v, DEPTH_UPDATE)) return null;
        bit = K_E;
        i = v + DEPTH_UPDATE.length;
        break;
      case 115: {
        // s
        if (t.charCodeAt(v) !== 34) return null;
        const end = stringEnd(t, v + 1);
        if (end < 0) return null;
        symbol = t.slice(v + 1, end);
        bit = K_S;
        i = end + 1;
        break;
      }
      case 69: // E
        if ((E = readInt(t, v)) < 0) return null;
        bit = K_EVENT_TIME;
        i = next;
        break;
      case 84: // T
        if ((T = readInt(t, v)) < 0) return null;
        bit = K_T;
        i = next;
        break;
      case 85: // U
        if ((U = readInt(t, v)) < 0) return null;
        bit = K_FIRST;
        i = next;
        break;
      case 117: // u
        if ((u = readInt(t, v)) < 0) return null;
        bit = K_LAST;
        i = next;
        break;
      case 0: // pu
        if ((pu = readInt(t, v)) < 0) return null;
        bit = K_PU;
        i = next;
        break;
      case 98: // b
        if ((i = readLevels(t, v, bids)) < 0) return null;
        bit = K_B;
        break;
      case 97: // a
        if ((i = readLevels(t, v, asks)) < 0) return null;
        bit = K_A;
        break;
      default:
        return null; // a key the fast path does not know: let JSON.parse decide
    }
    if (seen & bit) return null; // duplicate key: JSON.parse keeps the last one; leave that to it
    seen |= bit;
    const c = t.charCodeAt(i);
    if (c === 125) break;
    if (c !== 44) return null;
    i++;
  }
  if ((seen & REQUIRED) !== REQUIRED) return null;
  next = i + 1;
  return { symbol, U, u, pu, E, T, bids, asks, receivedTs };
}

const ENVELOPE = '{"stream":"';
const DATA = ',"data":';

/**
 * The depthUpdate in `text` with its levels converted, or null when the text is not exactly the
 * compact shape this scanner knows (the caller then uses JSON.parse). Syntax only: the caller
 * still applies the semantic checks (known symbol, U ≤ u, pu on USDⓈ-M). Pure; never throws.
 */
export function scanDepthUpdate(text: string, receivedTs: number): DepthDiff | null {
  // O(1) reject of every other frame (trades are as hot): a depthUpdate ends with its level arrays,
  // `…]}` raw or `…]}}` in an envelope. Without this, trade frames pay ~20% for a failed scan.
  const n = text.length;
  if (text.charCodeAt(n - 2) !== 93 && text.charCodeAt(n - 3) !== 93) return null;
  if (at(text, 0, ENVELOPE)) {
    const end = stringEnd(text, ENVELOPE.length);
    if (end < 0 || !at(text, end + 1, DATA)) return null;
    const d = readPayload(text, end + 1 + DATA.length, receivedTs);
    return d !== null && next === text.length - 1 && text.charCodeAt(next) === 125 ? d : null;
  }
  const d = readPayload(text, 0, receivedTs);
  return d !== null && next === text.length ? d : null;
}
