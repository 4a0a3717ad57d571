import type { Bar } from './bars.js';

/** The one header a bars CSV must start with, exactly. */
export const BARS_CSV_HEADER = 'open_time_ms,open,high,low,close,volume';

/**
 * Parses `open_time_ms,open,high,low,close,volume` CSV text into bars, oldest first.
 * Strict: the header must match exactly, every row has six finite numbers, the open time is an integer and
 * strictly increasing, low ≤ open, close ≤ high, volume ≥ 0. CRLF line ends and one trailing newline are
 * accepted; any other blank line is an error. Errors name the 1-based line.
 */
export function parseBarsCsv(text: string): Bar[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const header = stripCr(lines[0] ?? '');
  if (header !== BARS_CSV_HEADER) {
    throw new Error(`line 1: expected header "${BARS_CSV_HEADER}", got "${header.slice(0, 80)}"`);
  }
  const bars: Bar[] = new Array<Bar>(lines.length - 1);
  let prevTime = -Infinity;
  for (let i = 1; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = stripCr(lines[i]!);
    if (line === '') throw new Error(`line ${lineNo}: empty line`);
    const cells = line.split(',');
    if (cells.length !== 6) throw new Error(`line ${lineNo}: expected 6 fields, got ${cells.length}`);
    const v = cells.map((c, k) => {
      const n = c.trim() === '' ? NaN : Number(c);
      if (!Number.isFinite(n)) throw new Error(`line ${lineNo}: field ${FIELDS[k]} is not a number: "${c}"`);
      return n;
    });
    const [openTime, open, high, low, close, volume] = v as [number, number, number, number, number, number];
    if (!Number.isInteger(openTime)) throw new Error(`line ${lineNo}: open_time_ms is not an integer: ${openTime}`);
    if (openTime <= prevTime) throw new Error(`line ${lineNo}: open_time_ms ${openTime} is not after the previous row`);
    if (low > Math.min(open, close) || high < Math.max(open, close)) {
      throw new Error(`line ${lineNo}: inconsistent candle (low ${low}, high ${high}, open ${open}, close ${close})`);
    }
    if (volume < 0) throw new Error(`line ${lineNo}: negative volume ${volume}`);
    prevTime = openTime;
    bars[i - 1] = { openTime, open, high, low, close, volume };
  }
  return bars;
}

const FIELDS = BARS_CSV_HEADER.split(',');

function stripCr(s: string): string {
  return s.endsWith('\r') ? s.slice(0, -1) : s;
}
