import { describe, expect, it } from 'vitest';
import { chartChannels, choices, readInstruments, resolveSelection, selectionFromQuery } from '../src/app/selection.js';

const list = readInstruments([
  { exchange: 'bybit', market: 'spot', symbol: 'BTCUSDT', intervals: ['1m', '5m'] },
  { exchange: 'binance', market: 'spot', symbol: 'BTCUSDT', intervals: ['1m', '5m', '1h'], hasLevels: true },
  { exchange: 'binance', market: 'perp', symbol: 'ETHUSDT', intervals: ['1m', '1h'], hasLevels: true },
  { exchange: 'binance', market: 'perp', symbol: 'BTCUSDT' },
]);

describe('selection', () => {
  it('offers each picker the values the pickers above allow', () => {
    expect(choices(list, { exchange: 'binance', market: 'perp', symbol: 'ETHUSDT' })).toEqual({
      exchanges: ['bybit', 'binance'], markets: ['spot', 'perp'], symbols: ['ETHUSDT', 'BTCUSDT'], intervals: ['1m', '1h'],
    });
  });

  it('defaults to the first instrument with levels at 1m, keeps what is offered, falls back part by part', () => {
    expect(resolveSelection(list, {})).toEqual({ exchange: 'binance', market: 'spot', symbol: 'BTCUSDT', interval: '1m' });
    expect(resolveSelection(list, { exchange: 'binance', market: 'perp', symbol: 'ETHUSDT', interval: '1h' })).toEqual({
      exchange: 'binance', market: 'perp', symbol: 'ETHUSDT', interval: '1h',
    });
    // bybit has no perp here, and no 1h: the nearest valid choice.
    expect(resolveSelection(list, { exchange: 'bybit', market: 'perp', symbol: 'BTCUSDT', interval: '1h' })).toEqual({
      exchange: 'bybit', market: 'spot', symbol: 'BTCUSDT', interval: '1m',
    });
    expect(resolveSelection([], {})).toBeUndefined();
  });

  it('reads the selection from the page URL', () => {
    expect(selectionFromQuery(new URLSearchParams('exchange=binance&symbol=ETHUSDT&token=x&interval='))).toEqual({ exchange: 'binance', symbol: 'ETHUSDT' });
  });

  it('watches the candles of the interval, and the levels, features and quality of the instrument', () => {
    const watched = chartChannels({ exchange: 'binance', market: 'perp', symbol: 'BTCUSDT', interval: '5m' });
    expect(Object.values(watched).map((c) => c.name)).toEqual([
      'candles:binance:perp:BTCUSDT:5m', 'levels:binance:perp:BTCUSDT', 'features:binance:perp:BTCUSDT', 'quality:binance:perp:BTCUSDT',
    ]);
    expect(watched.candles.kind).toBe('candles');
  });
});
