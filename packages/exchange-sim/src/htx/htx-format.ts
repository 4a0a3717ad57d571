/**
 * HTX prints prices and sizes as Java doubles (`Double.toString`): plain decimals with at least one
 * fractional digit for 1e-3 ≤ |v| < 1e7 (`716.0`, `0.051598`), otherwise computerized scientific
 * notation (`2.0E-4`, `9.121E-7`, `3.358149508E7`). The simulator formats exact scaled integers that way.
 */
export function javaDouble(units: bigint | number, decimals: number): string {
  let v = typeof units === 'bigint' ? units : BigInt(units);
  const neg = v < 0n;
  if (neg) v = -v;
  if (v === 0n) return neg ? '-0.0' : '0.0';
  let digits = v.toString();
  let dec = decimals;
  while (dec > 0 && digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    dec--;
  }
  // Power of ten of the leading digit.
  const exp = digits.length - 1 - dec;
  let out: string;
  if (exp >= -3 && exp < 7) {
    if (dec === 0) out = `${digits}.0`;
    else {
      const padded = digits.padStart(dec + 1, '0');
      out = `${padded.slice(0, padded.length - dec)}.${padded.slice(padded.length - dec)}`;
    }
  } else {
    const sig = digits.replace(/0+$/, '');
    out = `${sig[0]}.${sig.length > 1 ? sig.slice(1) : '0'}E${exp}`;
  }
  return neg ? `-${out}` : out;
}
