import { Completeness, PositionSide, Side } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import { BinanceParser, parseDepthSnapshot, parseOpenInterest, type BinanceEvent } from '../src/exchanges/binance/parsers.js';
import { normalizeSymbol, normalizeSymbols, streamsFor } from '../src/exchanges/binance/symbols.js';
import { fixtureLines, fixtureText } from './helpers/fixtures.js';

const RECV = 1_700_000_000_123;

function expectKind<K extends BinanceEvent['kind']>(e: BinanceEvent, kind: K): Extract<BinanceEvent, { kind: K }> {
  expect(e.kind, JSON.stringify(e)).toBe(kind);
  return e as Extract<BinanceEvent, { kind: K }>;
}

describe('aggTrade → Trade', () => {
  it('maps a real spot frame field by field', () => {
    const [line] = fixtureLines('binance/spot_ws_aggTrade.real.jsonl');
    const p = new BinanceParser('spot', ['NKNUSDT', 'LRCBTC']);
    const { trade } = expectKind(p.parse(line!, RECV), 'trade');
    expect(trade).toEqual({
      exchange: 'binance', market: 'spot', symbol: 'NKNUSDT', tradeId: '15683430', price: 0.3528, size: 58,
      side: Side.SIDE_BUY, exchangeTs: 1633998523963, receivedTs: RECV, tradeCount: 1,
    });
  });

  it('maps every real futures frame: side from m, id from a, count l − f + 1', () => {
    const lines = fixtureLines('binance/futures_ws_aggTrade.real.jsonl');
    const p = new BinanceParser('perp', ['SUSHIUSDT', 'AKROUSDT', 'KEEPUSDT', 'CTKUSDT']);
    let sells = 0;
    for (const line of lines) {
      const d = JSON.parse(line).data;
      // Buffer input, as the ws library delivers it.
      const { trade } = expectKind(p.parse(Buffer.from(line), RECV), 'trade');
      expect(trade.symbol).toBe(d.s);
      expect(trade.tradeId).toBe(String(d.a));
      expect(trade.price).toBe(Number(d.p));
      expect(trade.size).toBe(Number(d.q));
      expect(trade.side).toBe(d.m ? Side.SIDE_SELL : Side.SIDE_BUY);
      expect(trade.tradeCount).toBe(d.l - d.f + 1);
      expect(trade.exchangeTs).toBe(d.T);
      if (d.m) sells++;
    }
    expect(sells).toBeGreaterThan(0);
    expect(sells).toBeLessThan(lines.length);
  });

  it('parses the spot (with M) and futures (without M) variants', () => {
    const [spot, fut] = fixtureLines('binance/spot_futures_ws_aggTrade_btcusdt.real.jsonl');
    expect(expectKind(new BinanceParser('spot', ['BTCUSDT']).parse(spot!, RECV), 'trade').trade.price).toBe(58942.01);
    expect(expectKind(new BinanceParser('perp', ['BTCUSDT']).parse(fut!, RECV), 'trade').trade.size).toBe(0.043);
  });
});

describe('depthUpdate → DepthDiff', () => {
  it('keeps U/u/pu/E/T and absolute levels (perp)', () => {
    const [line] = fixtureLines('binance/futures_ws_depthUpdate_btcusdt.real.jsonl');
    const { depth } = expectKind(new BinanceParser('perp', ['BTCUSDT']).parse(line!, RECV), 'depth');
    expect(depth).toEqual({
      symbol: 'BTCUSDT', U: 475776377463, u: 475776380184, pu: 475776377452, E: 1622371244693, T: 1622371244687,
      bids: [{ price: 35729.77, size: 1.6 }, { price: 35750, size: 5.106 }],
      asks: [{ price: 35819.2, size: 0.211 }, { price: 35820.31, size: 0.001 }],
      receivedTs: RECV,
    });
  });

  it('has no pu on spot; zero sizes are kept (they delete)', () => {
    const [line] = fixtureLines('binance/spot_ws_depthUpdate_btcusdt.real.jsonl');
    const { depth } = expectKind(new BinanceParser('spot', ['BTCUSDT']).parse(line!, RECV), 'depth');
    expect(depth.pu).toBeUndefined();
    expect(depth.T).toBeUndefined();
    expect(depth.bids[0]).toEqual({ price: 35743.98, size: 0 });
  });

  it('parses every real diff of both markets', () => {
    for (const [file, market] of [['binance/spot_ws_depthUpdate.real.jsonl', 'spot'], ['binance/futures_ws_depthUpdate.real.jsonl', 'perp']] as const) {
      const lines = fixtureLines(file);
      const symbols = new Set(lines.map((l) => JSON.parse(l).data.s as string));
      const p = new BinanceParser(market, symbols);
      for (const line of lines) expectKind(p.parse(line, RECV), 'depth');
    }
  });

  it('rejects a perp diff without pu and ids out of order', () => {
    const p = new BinanceParser('perp', ['BTCUSDT']);
    const base = { e: 'depthUpdate', E: 1, T: 1, s: 'BTCUSDT', U: 10, u: 12, b: [], a: [] };
    expect(expectKind(p.parse(JSON.stringify({ stream: 'x', data: base }), RECV), 'error').reason).toBe('malformed');
    expect(expectKind(p.parse(JSON.stringify({ stream: 'x', data: { ...base, pu: 9, U: 13 } }), RECV), 'error').reason).toBe('malformed');
    expect(expectKind(p.parse(JSON.stringify({ stream: 'x', data: { ...base, pu: 9, b: [['1', 'x']] } }), RECV), 'error').reason).toBe('malformed');
  });
});

describe('markPriceUpdate → Ticker', () => {
  it('maps mark, index, funding and next funding time', () => {
    const [line] = fixtureLines('binance/futures_ws_markPriceUpdate.real.jsonl');
    const { ticker } = expectKind(new BinanceParser('perp', ['BTCUSDT']).parse(line!, RECV), 'ticker');
    expect(ticker).toEqual({
      exchange: 'binance', market: 'perp', symbol: 'BTCUSDT', markPrice: 58940.14924532, indexPrice: 58857.26693664,
      fundingRate: 0.00058455, nextFundingTs: 1617321600000, exchangeTs: 1617308820003, receivedTs: RECV,
    });
  });

  it('leaves unknown fields absent: no index on old frames, no funding on delivery contracts', () => {
    const [old, withIndex, delivery] = fixtureLines('binance/futures_ws_markPriceUpdate_tardis.real.jsonl');
    const p = new BinanceParser('perp', ['BTCUSDT', 'BTCBUSD_210129']);
    expect(expectKind(p.parse(old!, RECV), 'ticker').ticker.indexPrice).toBeUndefined();
    expect(expectKind(p.parse(withIndex!, RECV), 'ticker').ticker.indexPrice).toBe(11851.86949091);
    const t = expectKind(p.parse(delivery!, RECV), 'ticker').ticker;
    expect(t.fundingRate).toBeUndefined();
    expect(t.nextFundingTs).toBeUndefined();
    expect(t.markPrice).toBe(31799.2773);
  });

  it('expands the all-market array into a batch', () => {
    const [line] = fixtureLines('binance/futures_ws_markPrice_arr.real-trimmed.jsonl');
    const { events } = expectKind(new BinanceParser('perp', ['BTCUSDT']).parse(line!, RECV), 'batch');
    expect(events.map((e) => e.kind)).toEqual(['ticker', 'error']);
    expect((events[1] as { reason: string }).reason).toBe('unknown-symbol');
  });
});

describe('forceOrder → Liquidation', () => {
  it('a forced SELL liquidates a LONG; sampled completeness', () => {
    const [arr, single] = fixtureLines('binance/futures_ws_forceOrder.real.jsonl');
    const p = new BinanceParser('perp', ['IOTXUSDT', 'BTCUSDT']);
    expect(expectKind(p.parse(arr!, RECV), 'liquidation').liquidation).toEqual({
      exchange: 'binance', market: 'perp', symbol: 'IOTXUSDT', side: Side.SIDE_SELL,
      liquidatedPosition: PositionSide.POSITION_SIDE_LONG, price: 0.06669, size: 3661,
      completeness: Completeness.COMPLETENESS_SAMPLED, exchangeTs: 1634653599180, receivedTs: RECV,
    });
    const buy = expectKind(p.parse(single!, RECV), 'liquidation').liquidation;
    expect(buy.side).toBe(Side.SIDE_BUY);
    expect(buy.liquidatedPosition).toBe(PositionSide.POSITION_SIDE_SHORT);
    expect(buy.completeness).toBe(Completeness.COMPLETENESS_SAMPLED);
  });
});

describe('control frames and bad input', () => {
  const p = new BinanceParser('spot', ['BTCUSDT']);

  it('SUBSCRIBE replies, both error shapes, serverShutdown', () => {
    expect(p.parse('{"result":null,"id":7}', RECV)).toEqual({ kind: 'response', id: 7, result: null });
    expect(p.parse('{"code":2,"msg":"Invalid request: unknown variant","id":3}', RECV)).toEqual({
      kind: 'venue-error', id: 3, code: 2, msg: 'Invalid request: unknown variant',
    });
    expect(expectKind(p.parse('{"error":{"code":0,"msg":"Unknown property"},"id":4}', RECV), 'venue-error').code).toBe(0);
    expect(p.parse('{"e":"serverShutdown","E":1700000000000}', RECV)).toEqual({ kind: 'server-shutdown', ts: 1700000000000 });
  });

  it('unknown symbol and unknown event types are typed errors', () => {
    const [line] = fixtureLines('binance/spot_ws_aggTrade.real.jsonl');
    const e = expectKind(p.parse(line!, RECV), 'error');
    expect(e).toMatchObject({ reason: 'unknown-symbol', symbol: 'NKNUSDT' });
    const [kline] = fixtureLines('binance/spot_ws_kline_1m.real.jsonl');
    expect(expectKind(p.parse(kline!, RECV), 'error').reason).toBe('unknown-event');
  });

  it('never throws: garbage, truncated and mutated real frames all come back as events', () => {
    const frames = [
      ...fixtureLines('binance/futures_ws_aggTrade.real.jsonl').slice(0, 5),
      ...fixtureLines('binance/futures_ws_depthUpdate.real.jsonl').slice(0, 3),
      ...fixtureLines('binance/futures_ws_forceOrder.real.jsonl'),
      ...fixtureLines('binance/futures_ws_markPriceUpdate.real.jsonl'),
    ];
    const perp = new BinanceParser('perp', ['SUSHIUSDT', 'AKROUSDT', 'KEEPUSDT', 'CTKUSDT', 'IOTXUSDT', 'BTCUSDT']);
    const inputs: (string | Buffer)[] = ['', 'null', '[]', '42', '"x"', '{}', '{"data":null}', '{"data":5}', Buffer.from([0xff, 0xfe, 0x00])];
    for (const f of frames) {
      for (let cut = 1; cut < f.length; cut += 7) inputs.push(f.slice(0, cut));
      inputs.push(f.replace(/"p":"[^"]*"/, '"p":"abc"'), f.replace(/"s":"[^"]*"/, '"s":5'), f.replace(/"[a-zA-Z]":\d+/, '"x":1'));
    }
    let errors = 0;
    for (const input of inputs) {
      const e = perp.parse(input, RECV);
      expect(typeof e.kind).toBe('string');
      if (e.kind === 'error') errors++;
    }
    expect(errors).toBeGreaterThan(inputs.length / 2);
    expect(expectKind(perp.parse('{"stream":"x","data":{"e":"aggTrade","s":"BTCUSDT","p":"1","q":"1","a":1,"f":1,"l":0,"T":1,"m":true}}', RECV), 'error').reason).toBe('malformed');
  });
});

describe('REST bodies', () => {
  it('parses real depth snapshots of both markets', () => {
    const body = JSON.parse(fixtureText('binance/spot_rest_depth_limit1000.real.json'));
    const spot = parseDepthSnapshot(body, RECV);
    expect(spot.bids).toHaveLength(body.bids.length);
    expect(spot.asks[spot.asks.length - 1]!.price).toBe(Number(body.asks[body.asks.length - 1][0]));
    expect(spot.E).toBeUndefined();
    const fut = parseDepthSnapshot(JSON.parse(fixtureText('binance/futures_rest_depth_limit1000.real.json')), RECV);
    expect(fut.T).toBeGreaterThan(0);
    expect(fut.asks[0]!.price).toBeGreaterThan(fut.bids[0]!.price);
    expect(() => parseDepthSnapshot({ code: -1121, msg: 'Invalid symbol.' }, RECV)).toThrow(/lastUpdateId/);
  });

  it('parses openInterest into a Ticker with only open interest', () => {
    const t = parseOpenInterest(JSON.parse(fixtureText('binance/futures_rest_openInterest.real.json')), 'perp', RECV);
    expect(t).toEqual({ exchange: 'binance', market: 'perp', symbol: 'BTCUSDT', openInterest: 84617.188, exchangeTs: 1654336844754, receivedTs: RECV });
    expect(() => parseOpenInterest({ symbol: 'BTCUSDT', openInterest: '' }, 'perp', RECV)).toThrow();
  });
});

describe('symbols', () => {
  it('normalizes and validates', () => {
    expect(normalizeSymbol('btcusdt')).toBe('BTCUSDT');
    expect(normalizeSymbol(' BTC-USDT ')).toBe('BTCUSDT');
    expect(normalizeSymbol('btcusdt_240628')).toBe('BTCUSDT_240628');
    expect(() => normalizeSymbol('btc usdt')).toThrow(/invalid Binance symbol/);
    expect(() => normalizeSymbols([])).toThrow(/at least one/);
    expect(normalizeSymbols(['btcusdt', 'BTCUSDT', 'ethusdt'])).toEqual(['BTCUSDT', 'ETHUSDT']);
  });

  it('chooses streams per market', () => {
    expect(streamsFor('BTCUSDT', 'spot')).toEqual(['btcusdt@aggTrade', 'btcusdt@depth@100ms']);
    expect(streamsFor('BTCUSDT', 'perp')).toEqual(['btcusdt@aggTrade', 'btcusdt@depth@100ms', 'btcusdt@markPrice@1s', 'btcusdt@forceOrder']);
  });
});
