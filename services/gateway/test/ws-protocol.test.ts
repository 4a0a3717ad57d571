import { describe, expect, it } from 'vitest';
import { InstrumentCatalog } from '../src/instruments.js';
import { candleData, channelName, featuresData, flowData, parseChannel, parseClientMessage, updateMessage } from '../src/http/ws-protocol.js';
import { BTC, bookFeatures, candle, orderFlow, T0 } from './support/fixtures.js';

const catalog = new InstrumentCatalog([BTC]);

describe('ws protocol', () => {
  it('parses subscribe and unsubscribe', () => {
    expect(parseClientMessage('{"op":"subscribe","channel":"candles:binance:spot:BTCUSDT:1m"}')).toEqual({
      ok: true,
      value: { op: 'subscribe', channel: 'candles:binance:spot:BTCUSDT:1m' },
    });
    expect(parseClientMessage('{"op":"unsubscribe","channel":"x"}')).toMatchObject({ ok: true, value: { op: 'unsubscribe' } });
  });

  it('parses a resuming subscribe and a ping', () => {
    expect(parseClientMessage('{"op":"subscribe","channel":"c","since":42}')).toEqual({ ok: true, value: { op: 'subscribe', channel: 'c', since: 42 } });
    expect(parseClientMessage('{"op":"subscribe","channel":"c","since":0}')).toEqual({ ok: true, value: { op: 'subscribe', channel: 'c', since: 0 } });
    expect(parseClientMessage('{"op":"ping"}')).toEqual({ ok: true, value: { op: 'ping' } });
  });

  it.each([
    ['{', /not valid JSON/],
    ['[1]', /JSON object/],
    ['null', /JSON object/],
    ['{"op":"publish","channel":"c"}', /unknown op "publish"/],
    ['{"channel":"c"}', /unknown op null/],
    ['{"op":"subscribe"}', /channel must be a non-empty string/],
    [`{"op":"subscribe","channel":"${'x'.repeat(300)}"}`, /longer than/],
    ['{"op":"subscribe","channel":"c","since":-1}', /since must be a non-negative integer/],
    ['{"op":"subscribe","channel":"c","since":1.5}', /since must be a non-negative integer/],
    ['{"op":"subscribe","channel":"c","since":"7"}', /since must be a non-negative integer/],
  ])('refuses %s', (text, message) => {
    const r = parseClientMessage(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem.message).toMatch(message);
  });

  it('parses channels, checks them against the catalog, and names them back', () => {
    const good = {
      'candles:binance:spot:BTCUSDT:1h': { kind: 'candles', ...BTC, interval: '1h' },
      'features:binance:spot:BTCUSDT': { kind: 'features', ...BTC },
      'flow:binance:spot:BTCUSDT:5m': { kind: 'flow', ...BTC, interval: '5m' },
      'flow:binance:spot:BTCUSDT:1s': { kind: 'flow', ...BTC, interval: '1s' },
      'levels:binance:spot:BTCUSDT': { kind: 'levels', ...BTC },
      'trades:binance:spot:BTCUSDT': { kind: 'trades', ...BTC },
      'quality:binance:spot:BTCUSDT': { kind: 'quality', ...BTC },
    };
    for (const [name, value] of Object.entries(good)) {
      const r = parseChannel(name, catalog);
      expect(r).toEqual({ ok: true, value });
      if (r.ok) expect(channelName(r.value)).toBe(name);
    }
  });

  it.each([
    ['book:binance:spot:BTCUSDT', 'invalid', /expected candles:.*, trades:.*, features:.*, flow:.*, levels:.*, quality:/],
    ['trades:binance:spot:BTCUSDT:1h', 'invalid', /expected trades:<exchange>:<market>:<symbol>$/],
    ['quality:binance:spot:SOLUSDT', 'not_found', /not collected/],
    ['candles:binance:spot:BTCUSDT', 'invalid', /expected candles:<exchange>:<market>:<symbol>:<interval>$/],
    ['candles:binance:spot:BTCUSDT:3m', 'invalid', /interval "3m" is unknown/],
    ['candles:binance:spot:SOLUSDT:1m', 'not_found', /not collected/],
    ['features:binance:spot:BTCUSDT:1s', 'invalid', /expected features:<exchange>:<market>:<symbol>$/],
    ['features:binance:spot:btc', 'invalid', /symbol "btc" is malformed/],
    ['features:binance:perp:BTCUSDT', 'not_found', /binance:perp:BTCUSDT is not collected/],
    ['flow:binance:spot:BTCUSDT', 'invalid', /malformed/],
    ['flow:binance:spot:BTCUSDT:none', 'invalid', /flow interval "none" is unknown: one of 1s, 1m/],
    ['flow:binance:spot:BTCUSDT:2s', 'invalid', /flow interval "2s" is unknown/],
    ['flow:binance:spot:SOLUSDT:9m', 'invalid', /flow interval "9m"/],
    ['flow:binance:spot:SOLUSDT:1m', 'not_found', /not collected/],
    ['levels:binance:spot:BTCUSDT:1d', 'invalid', /expected levels:<exchange>:<market>:<symbol>$/],
    ['levels:binance:spot:SOLUSDT', 'not_found', /not collected/],
  ])('refuses channel %s (%s)', (name, kind, message) => {
    const r = parseChannel(name, catalog);
    expect(r).toMatchObject({ ok: false, problem: { kind } });
    if (!r.ok) expect(r.problem.message).toMatch(message);
  });

  it('encodes a candle with every field', () => {
    const c = candle(BTC, '1m', T0, { volume: 0, final: false });
    const msg = JSON.parse(updateMessage('candle', 'candles:binance:spot:BTCUSDT:1m', 7, candleData(c)));
    expect(msg).toEqual({ type: 'candle', channel: 'candles:binance:spot:BTCUSDT:1m', seq: 7, data: { ...c } });
    expect(JSON.parse(updateMessage('candle', 'c"q', 7, candleData(c), true))).toEqual({ type: 'candle', channel: 'c"q', seq: 7, snapshot: true, data: { ...c } });
    expect(msg.data.volume).toBe(0);
    expect(msg.data.final).toBe(false);
  });

  it('encodes features and flow with every field, NaN as null and the completeness by name', () => {
    const f = bookFeatures(BTC, T0, { priceChange5s: Infinity });
    const text = updateMessage('features', 'features:binance:spot:BTCUSDT', 1, featuresData(f));
    expect(text).not.toMatch(/NaN|Infinity/);
    const msg = JSON.parse(text);
    expect(msg).toMatchObject({ type: 'features', channel: 'features:binance:spot:BTCUSDT' });
    expect(Object.keys(msg.data).sort()).toEqual(Object.keys(f).sort());
    expect(msg.data).toMatchObject({ midPrice: 100.05, priceChange1s: null, priceChange5s: null, priceVolatility30s: null, spreadChange1s: 0 });

    const flow = orderFlow(BTC, '1s', T0);
    const flowMsg = JSON.parse(updateMessage('flow', 'flow:binance:spot:BTCUSDT:1s', 1, flowData(flow)));
    expect(flowMsg).toMatchObject({ type: 'flow', channel: 'flow:binance:spot:BTCUSDT:1s' });
    expect(flowMsg.data).toEqual({
      ...flow, vwap: null, nearestBidWallPrice: null, nearestAskWallPrice: null, wallLifetimeMeanS: null, liquidationCompleteness: 'COMPLETENESS_SAMPLED',
    });
  });
});
