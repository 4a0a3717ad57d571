/**
 * Fixed-point decimals as scaled integers. Venue prices and quantities are decimal strings; the simulator
 * keeps them as integers in units of 10^-decimals so sums (kline volumes) are exact.
 */

/** Format a scaled integer (units of 10^-decimals) as a fixed-decimal string, e.g. (123456n, 4) → "12.3456". */
export function formatScaled(units: bigint | number, decimals: number): string {
  let v = typeof units === 'bigint' ? units : BigInt(units);
  const neg = v < 0n;
  if (neg) v = -v;
  let s = v.toString();
  if (decimals > 0) {
    s = s.padStart(decimals + 1, '0');
    s = `${s.slice(0, s.length - decimals)}.${s.slice(s.length - decimals)}`;
  }
  return neg ? `-${s}` : s;
}

/** Parse a decimal string into units of 10^-decimals. Throws on more fractional digits than `decimals` unless `round`. */
export function parseScaled(text: string, decimals: number, round = false): bigint {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new Error(`not a decimal: "${text}"`);
  const neg = m[1] === '-';
  const int = m[2] || '0';
  let frac = m[3] ?? '';
  let carry = 0n;
  if (frac.length > decimals) {
    const cut = frac.slice(decimals);
    if (!round && /[1-9]/.test(cut)) throw new Error(`"${text}" has more than ${decimals} decimals`);
    if (round && cut.charCodeAt(0) - 48 >= 5) carry = 1n;
    frac = frac.slice(0, decimals);
  }
  const v = BigInt(int + frac.padEnd(decimals, '0')) + carry;
  return neg ? -v : v;
}

/** Rescale a scaled integer from one number of decimals to another (rounding half up when reducing). */
export function rescale(units: bigint, from: number, to: number): bigint {
  if (to >= from) return units * 10n ** BigInt(to - from);
  const d = 10n ** BigInt(from - to);
  const q = units / d;
  const r = units % d;
  return r * 2n >= d ? q + 1n : q;
}
