import { Completeness, PositionSide, Side, type Ticker } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import { BybitParser, type BybitEvent } from '../src/exchanges/bybit/parsers.js';
import { parseBybitKlines, parseBybitOpenInterest, parseBybitOrderbook } from '../src/exchanges/bybit/bybit-rest.js';
import { TickerMerger } from '../src/exchanges/bybit/ticker-merge.js';
import { bybitInstrument, bybitTopics } from '../src/exchanges/bybit/symbols.js';
import { fixtureLines, fixtureText } from './helpers/fixtures.js';

/** Every symbol named in the fixtures, collected under its own name. */
const NAMES: [string, string][] = ['BTCUSD', 'LTCUSDT', 'BTCUSDT', 'BTCPERP', 'BTCUSDU23', 'PIPPINUSDT', 'ROSEUSDT', 'GALAUSDT', 'XRPUSD', 'XRPUSDT', 'BTC-26DEC25', 'BTC-6JAN23-17500-C'].map((n) => [n, n.replace(/-/g, '')]);
const parser = new BybitParser('perp', NAMES);
const R = 1_700_000_000_000;
const parse = (line: string): BybitEvent => parser.parse(line, R);

/** The decimal a string denotes, as the shortest text of the parsed number ("28560.50" → "28560.5"). */
const canon = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);

describe('Bybit parser on the real captures', () => {
  it('publicTrade (fixtures/bybit/ws_publicTrade.real.jsonl): S is the taker side, i the id, T the time', () => {
    const lines = fixtureLines('bybit/ws_publicTrade.real.jsonl');
    const events = lines.map(parse);
    expect(events.map((e) => e.kind)).toEqual(['trades', 'trades']);
    const trades = events.flatMap((e) => (e.kind === 'trades' ? e.trades : []));
    expect(trades).toEqual([
      { exchange: 'bybit', market: 'perp', symbol: 'BTCUSD', tradeId: '0cbf2330-952d-5d03-a462-4bf826c867af', price: 28560.5, size: 5823, side: Side.SIDE_BUY, exchangeTs: 1680673823564, receivedTs: R, tradeCount: 1 },
      { exchange: 'bybit', market: 'perp', symbol: 'BTCUSD', tradeId: '912e56de-9ed6-5f4f-9421-f0ff5a42d84a', price: 28560.5, size: 3, side: Side.SIDE_BUY, exchangeTs: 1680673823564, receivedTs: R, tradeCount: 1 },
      { exchange: 'bybit', market: 'perp', symbol: 'BTCUSD', tradeId: 'cb558b74-cf72-5157-b53b-93944db336ad', price: 28560.5, size: 5593, side: Side.SIDE_BUY, exchangeTs: 1680673823564, receivedTs: R, tradeCount: 1 },
      { exchange: 'bybit', market: 'perp', symbol: 'LTCUSDT', tradeId: '4c7b6bdc-b4a3-5716-9c7b-bbe01dc7072f', price: 94.53, size: 0.4, side: Side.SIDE_BUY, exchangeTs: 1680688979983, receivedTs: R, tradeCount: 1 },
    ]);
    // Exact: every number is the decimal the venue sent.
    const raw = lines.flatMap((l) => (JSON.parse(l) as { data: { p: string; v: string }[] }).data);
    raw.forEach((r, i) => {
      expect(String(trades[i]!.price)).toBe(canon(r.p));
      expect(String(trades[i]!.size)).toBe(canon(r.v));
    });
  });

  it('publicTrade docs example (a Sell taker would map to SIDE_SELL)', () => {
    const [line] = fixtureLines('bybit/ws_publicTrade.docs.jsonl');
    const e = parse(line!);
    expect(e.kind === 'trades' && e.trades[0]).toMatchObject({ symbol: 'BTCUSDT', price: 16578.5, size: 0.001, side: Side.SIDE_BUY, tradeId: '20f43950-d8dd-5b31-9112-a178eb6023af' });
    const sell = parse(line!.replace('"S":"Buy"', '"S":"Sell"').replace('"BT":false', '"BT":true'));
    expect(sell.kind === 'trades' && sell.trades[0]!.side).toBe(Side.SIDE_SELL);
    expect(sell.kind === 'trades' && sell.blockTrades).toBe(1);
  });

  it.each(['bybit/ws_orderbook_1.real.jsonl', 'bybit/ws_orderbook_50.real-trimmed.jsonl', 'bybit/ws_orderbook.docs.jsonl', 'orderbook/bybit_linear_XRPUSDT_orderbook500_2024-12-01.real.jsonl'])(
    'orderbook frames of %s keep type, u, seq, times and every level exactly',
    (file) => {
      for (const line of fixtureLines(file)) {
        const raw = JSON.parse(line) as { topic: string; type: string; ts: number; cts?: number; data: { s: string; b: [string, string][]; a: [string, string][]; u: number; seq: number } };
        const e = parse(line);
        if (e.kind !== 'book') throw new Error(`expected book, got ${JSON.stringify(e)}`);
        expect(e.book).toMatchObject({ symbol: raw.data.s.replace(/-/g, ''), topic: raw.topic, type: raw.type, u: raw.data.u, seq: raw.data.seq, ts: raw.ts, cts: raw.cts, receivedTs: R });
        expect(e.book.bids.map((l) => [String(l.price), String(l.size)])).toEqual(raw.data.b.map(([p, q]) => [canon(p), canon(q)]));
        expect(e.book.asks.map((l) => [String(l.price), String(l.size)])).toEqual(raw.data.a.map(([p, q]) => [canon(p), canon(q)]));
      }
    },
  );

  it('tickers (ws_tickers.real.jsonl): deltas merged into the snapshot; "" means unknown, never 0', () => {
    const merger = new TickerMerger('perp');
    const out = fixtureLines('bybit/ws_tickers.real.jsonl').map((l) => {
      const e = parse(l);
      if (e.kind !== 'ticker') throw new Error('expected ticker');
      return merger.apply(e.ticker);
    });
    const base = { exchange: 'bybit', market: 'perp', receivedTs: R };
    expect(out).toEqual<(Ticker | null)[]>([
      { ...base, symbol: 'BTCUSD', markPrice: 28560, indexPrice: 28566.94, fundingRate: 0.0001, nextFundingTs: 1680681600000, openInterest: 449736676, openInterestValue: 15747.08, exchangeTs: 1680673822577 },
      // The delta carries openInterest and fundingRate only: mark, index, next funding and OI value are unchanged.
      { ...base, symbol: 'BTCUSD', markPrice: 28560, indexPrice: 28566.94, fundingRate: 0.0001, nextFundingTs: 1680681600000, openInterest: 449736674, openInterestValue: 15747.08, exchangeTs: 1680673822776 },
      // Delivery future: no funding.
      { ...base, symbol: 'BTCUSDU23', markPrice: 29023.6, indexPrice: 28566.94, openInterest: 4547176, openInterestValue: 156.67, exchangeTs: 1680673822099 },
      { ...base, symbol: 'BTCUSDU23', markPrice: 29023.6, indexPrice: 28566.94, openInterest: 4547176, openInterestValue: 156.67, exchangeTs: 1680673822199 },
      { ...base, symbol: 'BTCUSDT', markPrice: 28552.81, indexPrice: 28562.25, fundingRate: 0.0001, nextFundingTs: 1680681600000, openInterest: 52774.528, openInterestValue: 1506861070.82, exchangeTs: 1680673821770 },
    ]);
  });

  it('tickers docs: a negative funding rate is kept; a spot ticker carries nothing a Ticker has', () => {
    const merger = new TickerMerger('perp');
    const [linear, delivery, option, spot] = fixtureLines('bybit/ws_tickers.docs.jsonl').map((l) => {
      const e = parse(l);
      if (e.kind !== 'ticker') throw new Error('expected ticker');
      return merger.apply(e.ticker);
    });
    expect(linear).toMatchObject({ symbol: 'BTCUSDT', markPrice: 66666.6, indexPrice: 115418.19, fundingRate: -0.005, nextFundingTs: 1760342400000, openInterest: 492373.72, openInterestValue: 32824881841.75 });
    expect(delivery).toMatchObject({ symbol: 'BTC26DEC25', markPrice: 121144.63 });
    expect(delivery).not.toHaveProperty('fundingRate');
    expect(delivery).not.toHaveProperty('nextFundingTs');
    expect(option).toMatchObject({ symbol: 'BTC6JAN2317500C', markPrice: 7.86976724, openInterest: 49.85 });
    expect(spot).toBeNull();
  });

  it('allLiquidation (real and docs): S=Buy is a long liquidated; every liquidation is pushed ⇒ FULL', () => {
    const [real] = fixtureLines('bybit/ws_allLiquidation.real.jsonl');
    const e = parse(real!);
    expect(e).toEqual({
      kind: 'liquidations',
      liquidations: [{ exchange: 'bybit', market: 'perp', symbol: 'PIPPINUSDT', side: Side.SIDE_BUY, liquidatedPosition: PositionSide.POSITION_SIDE_SHORT, price: 0.02456, size: 2846, completeness: Completeness.COMPLETENESS_FULL, exchangeTs: 1740480207110, receivedTs: R }],
    });
    const long = parse(real!.replace('"S":"Sell"', '"S":"Buy"'));
    expect(long.kind === 'liquidations' && long.liquidations[0]).toMatchObject({ side: Side.SIDE_SELL, liquidatedPosition: PositionSide.POSITION_SIDE_LONG });
    const [docs] = fixtureLines('bybit/ws_allLiquidation.docs.jsonl');
    expect(parse(docs!)).toMatchObject({ kind: 'liquidations', liquidations: [{ symbol: 'ROSEUSDT', price: 0.04499, size: 20000, exchangeTs: 1739502302929 }] });
  });

  it('legacy liquidation topic (real): one order per frame, sampled', () => {
    const events = fixtureLines('bybit/ws_liquidation.real.jsonl').map(parse);
    expect(events).toEqual([
      { kind: 'liquidations', liquidations: [{ exchange: 'bybit', market: 'perp', symbol: 'GALAUSDT', side: Side.SIDE_SELL, liquidatedPosition: PositionSide.POSITION_SIDE_LONG, price: 0.03803, size: 1637, completeness: Completeness.COMPLETENESS_SAMPLED, exchangeTs: 1673251091822, receivedTs: R }] },
      { kind: 'liquidations', liquidations: [{ exchange: 'bybit', market: 'perp', symbol: 'XRPUSD', side: Side.SIDE_BUY, liquidatedPosition: PositionSide.POSITION_SIDE_SHORT, price: 0.5149, size: 6949, completeness: Completeness.COMPLETENESS_SAMPLED, exchangeTs: 1680673944093, receivedTs: R }] },
    ]);
    expect(fixtureLines('bybit/ws_liquidation.docs.jsonl').map(parse)[0]).toMatchObject({ kind: 'liquidations', liquidations: [{ symbol: 'BTCUSDT', price: 43511.7, size: 0.003 }] });
  });

  it('heartbeat and subscribe replies (docs)', () => {
    const pings = fixtureLines('bybit/ws_ping_pong.docs.jsonl').map(parse);
    expect(pings.map((e) => e.kind)).toEqual(['error', 'pong', 'pong', 'pong', 'pong']); // line 1 is the client's own ping
    const subs = fixtureLines('bybit/ws_subscribe.docs.jsonl').map(parse);
    expect(subs.slice(3)).toEqual([
      { kind: 'op', op: 'subscribe', success: true, retMsg: '', reqId: '' },
      { kind: 'op', op: 'subscribe', success: true, retMsg: 'subscribe', reqId: '10001' },
      { kind: 'op', op: 'subscribe', success: true, retMsg: '', reqId: '' },
      { kind: 'op', op: 'COMMAND_RESP', success: true, retMsg: '', reqId: '' },
    ]);
    expect(parse('{"success":false,"ret_msg":"error:handler not found,topic:orderbook.50.NOPE","conn_id":"x","req_id":"7","op":"subscribe"}')).toEqual({ kind: 'op', op: 'subscribe', success: false, retMsg: 'error:handler not found,topic:orderbook.50.NOPE', reqId: '7' });
  });

  it('topics not collected are typed errors, never thrown', () => {
    expect(parse(fixtureLines('bybit/ws_kline.docs.jsonl')[0]!)).toMatchObject({ kind: 'error', reason: 'unknown-event' });
    const only = new BybitParser('perp', [['ETHUSDT', 'ETHUSDT']]);
    expect(only.parse(fixtureLines('bybit/ws_publicTrade.real.jsonl')[1]!, R)).toMatchObject({ kind: 'error', reason: 'unknown-symbol' });
    const bad = [
      '', '{', 'null', '[]', '42', '{"topic":"orderbook.50.BTCUSDT"}',
      '{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1,"data":{"s":"BTCUSDT","b":[["x","1"]],"a":[],"u":2,"seq":3}}',
      '{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1,"data":{"s":"BTCUSDT","b":[],"a":[],"u":"2","seq":3}}',
      '{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1,"data":{"s":"BTCUSDT","b":[["1","-1"]],"a":[],"u":2}}',
      '{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"s":"BTCUSDT","S":"Up","v":"1","p":"1","i":"a"}]}',
      '{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":{}}',
      '{"topic":"allLiquidation.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"s":"BTCUSDT","S":"Buy","v":"0","p":"1"}]}',
      '{"topic":"tickers.BTCUSDT","type":"delta","data":[]}',
    ];
    for (const b of bad) expect(() => parse(b)).not.toThrow();
    expect(bad.map((b) => parse(b).kind)).toEqual(Array(bad.length).fill('error'));
    expect(parser.parse(Buffer.from('{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1,"data":{"s":"BTCUSDT","b":[],"a":[],"u":5,"seq":3}}'), R)).toMatchObject({ kind: 'book', book: { u: 5 } });
  });
});

describe('Bybit REST bodies', () => {
  it('orderbook (likely-real and docs)', () => {
    expect(parseBybitOrderbook(JSON.parse(fixtureText('bybit/rest_v5_market_orderbook.likely-real.json')))).toEqual({
      symbol: 'BTCUSDT', bids: [{ price: 62710.2, size: 5.52 }], asks: [{ price: 62710.3, size: 0.01 }], u: 243781, seq: 3887177875, ts: 1709199771584,
    });
    expect(parseBybitOrderbook(JSON.parse(fixtureText('bybit/rest_v5_market_orderbook.docs.json')))).toMatchObject({ bids: [{ price: 65485.47, size: 47.081829 }], asks: [{ price: 65557.7, size: 16.606555 }], u: 230704 });
  });

  it('kline (likely-real spot): newest first on the wire, oldest first here, every value exact', () => {
    const body = JSON.parse(fixtureText('bybit/rest_v5_market_kline_spot.likely-real.json')) as { result: { list: string[][] } };
    const k = parseBybitKlines(body);
    expect(k.map((x) => x.start)).toEqual([1715162400000, 1715166000000, 1715169600000, 1715173200000, 1715176800000]);
    const rows = [...body.result.list].reverse();
    k.forEach((x, i) => expect([x.start, x.open, x.high, x.low, x.close, x.volume, x.turnover].map(String)).toEqual(rows[i]!.map(canon)));
    expect(parseBybitKlines(JSON.parse(fixtureText('bybit/rest_v5_market_kline.docs.json')))[0]).toEqual({ start: 1670601600000, open: 17086.5, high: 17088, low: 16978, close: 17071.5, volume: 6356, turnover: 0.37288112 });
  });

  it('open interest (docs) → Tickers with open interest only, oldest first', () => {
    const t = parseBybitOpenInterest(JSON.parse(fixtureText('bybit/rest_v5_market_open_interest.docs.json')), 'perp', 'BTCUSD', R);
    expect(t).toHaveLength(5);
    expect(t[0]).toEqual({ exchange: 'bybit', market: 'perp', symbol: 'BTCUSD', openInterest: 63942311, exchangeTs: 1780617600000, receivedTs: R });
    expect(t[4]!.openInterest).toBe(63910691);
  });

  it('bodies that are not what they claim throw a named error (the caller counts it)', () => {
    expect(() => parseBybitOrderbook({ retCode: 10001, retMsg: 'params error', result: {} })).toThrow(/orderbook body invalid/);
    expect(() => parseBybitKlines(null)).toThrow(/no result/);
  });
});

describe('Bybit symbols and topics', () => {
  it('normalizes, keeping the venue name where it differs', () => {
    expect(bybitInstrument('btcusdt')).toEqual({ symbol: 'BTCUSDT', native: 'BTCUSDT' });
    expect(bybitInstrument('BTC-USDT')).toEqual({ symbol: 'BTCUSDT', native: 'BTCUSDT' });
    expect(bybitInstrument('eth/usdc')).toEqual({ symbol: 'ETHUSDC', native: 'ETHUSDC' });
    expect(bybitInstrument('BTC-26DEC25')).toEqual({ symbol: 'BTC26DEC25', native: 'BTC-26DEC25' });
    expect(() => bybitInstrument('BTC USDT')).toThrow(/invalid Bybit symbol/);
    expect(bybitTopics('BTCUSDT', 'spot', 50)).toEqual(['publicTrade.BTCUSDT', 'orderbook.50.BTCUSDT']);
    expect(bybitTopics('BTCUSDT', 'perp', 200)).toEqual(['publicTrade.BTCUSDT', 'orderbook.200.BTCUSDT', 'tickers.BTCUSDT', 'allLiquidation.BTCUSDT']);
  });
});
