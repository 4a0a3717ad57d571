import { describe, expect, it } from 'vitest';
import { InstrumentCatalog } from '../src/instruments.js';
import { candleMessage, parseCandleChannel, parseClientMessage } from '../src/http/ws-protocol.js';
import { BTC, candle, T0 } from './support/fixtures.js';

const catalog = new InstrumentCatalog([BTC]);

describe('ws protocol', () => {
  it('parses subscribe and unsubscribe', () => {
    expect(parseClientMessage('{"op":"subscribe","channel":"candles:binance:spot:BTCUSDT:1m"}')).toEqual({
      ok: true,
      value: { op: 'subscribe', channel: 'candles:binance:spot:BTCUSDT:1m' },
    });
    expect(parseClientMessage('{"op":"unsubscribe","channel":"x"}')).toMatchObject({ ok: true, value: { op: 'unsubscribe' } });
  });

  it.each([
    ['{', /not valid JSON/],
    ['[1]', /JSON object/],
    ['null', /JSON object/],
    ['{"op":"publish","channel":"c"}', /unknown op "publish"/],
    ['{"channel":"c"}', /unknown op null/],
    ['{"op":"subscribe"}', /channel must be a non-empty string/],
    [`{"op":"subscribe","channel":"${'x'.repeat(300)}"}`, /longer than/],
  ])('refuses %s', (text, message) => {
    const r = parseClientMessage(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem.message).toMatch(message);
  });

  it('parses channels and checks them against the catalog', () => {
    expect(parseCandleChannel('candles:binance:spot:BTCUSDT:1h', catalog)).toEqual({ ok: true, value: { ...BTC, interval: '1h' } });
    expect(parseCandleChannel('trades:binance:spot:BTCUSDT:1h', catalog)).toMatchObject({ ok: false, problem: { kind: 'invalid' } });
    expect(parseCandleChannel('candles:binance:spot:BTCUSDT', catalog)).toMatchObject({ ok: false, problem: { kind: 'invalid' } });
    expect(parseCandleChannel('candles:binance:spot:BTCUSDT:3m', catalog)).toMatchObject({ ok: false, problem: { kind: 'invalid' } });
    expect(parseCandleChannel('candles:binance:spot:SOLUSDT:1m', catalog)).toMatchObject({ ok: false, problem: { kind: 'not_found' } });
  });

  it('encodes a candle with every field', () => {
    const c = candle(BTC, '1m', T0, { volume: 0, final: false });
    const msg = JSON.parse(candleMessage('candles:binance:spot:BTCUSDT:1m', c));
    expect(msg).toEqual({ type: 'candle', channel: 'candles:binance:spot:BTCUSDT:1m', data: { ...c } });
    expect(msg.data.volume).toBe(0);
    expect(msg.data.final).toBe(false);
  });
});
