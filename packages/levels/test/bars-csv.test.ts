import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BARS_CSV_HEADER, parseBarsCsv } from '../src/index.js';

const H = BARS_CSV_HEADER;

describe('parseBarsCsv', () => {
  it('parses rows into bars, with CRLF and a trailing newline', () => {
    expect(parseBarsCsv(`${H}\r\n1000,1,3,0.5,2,10\r\n2000,2,2.5,1.5,2.5,0\r\n`)).toEqual([
      { openTime: 1000, open: 1, high: 3, low: 0.5, close: 2, volume: 10 },
      { openTime: 2000, open: 2, high: 2.5, low: 1.5, close: 2.5, volume: 0 },
    ]);
    expect(parseBarsCsv(`${H}\n`)).toEqual([]);
  });

  it('reads the real BTC daily fixture', () => {
    const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/ohlcv/binance_spot_BTCUSDT_1d.csv');
    const bars = parseBarsCsv(fs.readFileSync(file, 'utf8'));
    expect(bars).toHaveLength(1881);
    expect(bars[0]).toEqual({ openTime: 1502928000000, open: 4261.48, high: 4485.39, low: 4200.74, close: 4285.08, volume: 795.150377 });
  });

  it.each([
    ['open_time,open,high,low,close,volume\n', /^line 1: expected header/],
    ['', /^line 1: expected header/],
    [`${H}\n1000,1,3,0.5,2\n`, /^line 2: expected 6 fields, got 5/],
    [`${H}\n1000,1,3,0.5,2,10\n2000,1,x,0.5,2,10\n`, /^line 3: field high is not a number: "x"/],
    [`${H}\n1000,1,3,0.5,2,10\n2000,1,3,,2,10\n`, /^line 3: field low is not a number/],
    [`${H}\n1000.5,1,3,0.5,2,10\n`, /^line 2: open_time_ms is not an integer/],
    [`${H}\n2000,1,3,0.5,2,10\n2000,1,3,0.5,2,10\n`, /^line 3: open_time_ms 2000 is not after the previous row/],
    [`${H}\n1000,1,3,0.5,4,10\n`, /^line 2: inconsistent candle/],
    [`${H}\n1000,1,3,0.5,2,-1\n`, /^line 2: negative volume/],
    [`${H}\n1000,1,3,0.5,2,10\n\n2000,1,3,0.5,2,10\n`, /^line 3: empty line/],
  ])('rejects %j', (text, message) => {
    expect(() => parseBarsCsv(text)).toThrow(message);
  });
});
