import { readFileSync } from 'node:fs';
import { gzip } from 'pako';
import { Side } from '@pricelevel/contracts';
import { describe, expect, it } from 'vitest';
import {
  BingxParser,
  BingxRestError,
  parseRestDepth,
  parseRestKlines,
  parseRestOpenInterest,
  parseRestPremiumIndex,
  parseRestTrades,
  restData,
  type BingxEvent,
} from '../src/exchanges/bingx/parsers.js';
import { bingxSymbol, bingxSymbols } from '../src/exchanges/bingx/symbols.js';
import { FIXTURES, fixtureLines, fixtureText } from './helpers/fixtures.js';

const RX = 1_700_000_000_000;
const parser = new BingxParser('perp', bingxSymbols(['ETHUSDT', 'BTC-USDT']));
const line = (f: string) => fixtureLines(`bingx/${f}`)[0]!;
const json = (f: string) => JSON.parse(fixtureText(`bingx/${f}`));
const decimals = (s: string) => (s.includes('.') ? s.split('.')[1]!.length : 0);
/** A parsed number denotes exactly the decimal string it came from. */
const same = (n: number, s: string) => expect(n.toFixed(decimals(s))).toBe(s);

function only<K extends BingxEvent['kind']>(e: BingxEvent, kind: K): Extract<BingxEvent, { kind: K }> {
  expect(e.kind).toBe(kind);
  return e as Extract<BingxEvent, { kind: K }>;
}

describe('BingX symbols', () => {
  it('normalize to BTCUSDT and keep the native name', () => {
    for (const raw of ['BTCUSDT', 'btc-usdt', 'BTC/USDT', ' BTC-USDT ']) expect(bingxSymbol(raw)).toEqual({ symbol: 'BTCUSDT', native: 'BTC-USDT' });
    expect(bingxSymbol('1000PEPEUSDC')).toEqual({ symbol: '1000PEPEUSDC', native: '1000PEPE-USDC' });
    expect(() => bingxSymbol('BTC')).toThrow(/invalid/);
    expect(() => bingxSymbols([])).toThrow(/at least one/);
    expect(bingxSymbols(['BTCUSDT', 'BTC-USDT'])).toHaveLength(1);
  });
});

describe('BingxParser on every real WebSocket capture', () => {
  it('ws_swap_trade: 23 trades, oldest first, exact prices and sizes, aggressor from m', () => {
    const raw = JSON.parse(line('ws_swap_trade.real.jsonl'));
    const { trades } = only(parser.parseText(line('ws_swap_trade.real.jsonl'), RX), 'trades');
    expect(trades).toHaveLength(23);
    const chronological = [...raw.data].reverse();
    trades.forEach((t, i) => {
      const r = chronological[i];
      expect(t).toMatchObject({ exchange: 'bingx', market: 'perp', symbol: 'ETHUSDT', exchangeTs: r.T, receivedTs: RX, tradeCount: 1 });
      same(t.price, r.p);
      same(t.size, r.q);
      // m: buyer is the maker ⇒ the aggressor sold.
      expect(t.side).toBe(r.m ? Side.SIDE_SELL : Side.SIDE_BUY);
    });
    expect(trades[0]).toMatchObject({ price: 2984.42, size: 6.78, side: Side.SIDE_BUY, exchangeTs: 1714650252503 });
    expect(trades[22]).toMatchObject({ price: 2983.48, size: 1.92, side: Side.SIDE_BUY, exchangeTs: 1714650253104 });
    // 13 identical 0.01 @ 2983.92 sells in one ms are distinct trades: distinct ids.
    expect(new Set(trades.map((t) => t.tradeId)).size).toBe(23);
  });

  it('the locally gzipped trade frame (binary) parses to exactly the same trades', () => {
    const bin = readFileSync(`${FIXTURES}bingx/ws_swap_trade.real.LOCALLY-GZIPPED.bin`);
    expect(parser.parse(bin, RX)).toEqual(parser.parseText(line('ws_swap_trade.real.jsonl'), RX));
  });

  it('the gzipped heartbeat is "Ping"', () => {
    expect(parser.parse(readFileSync(`${FIXTURES}bingx/ws_ping.LOCALLY-GZIPPED.bin`), RX)).toEqual({ kind: 'ping' });
    expect(parser.parse('Ping', RX)).toEqual({ kind: 'ping' });
  });

  it('ws_swap_depth20: top 20 per side, both best first (asks arrive highest first)', () => {
    const raw = JSON.parse(line('ws_swap_depth20.real.jsonl'));
    const { book } = only(parser.parseText(line('ws_swap_depth20.real.jsonl'), RX), 'partial-book');
    expect(book).toMatchObject({ symbol: 'ETHUSDT', levels: 20, exchangeTs: 1714650397486, receivedTs: RX });
    expect(book.bids.map((l) => [l.price, l.size])).toEqual(raw.data.bids.map(([p, q]: string[]) => [Number(p), Number(q)]));
    expect(book.asks.map((l) => [l.price, l.size])).toEqual([...raw.data.asks].reverse().map(([p, q]: string[]) => [Number(p), Number(q)]));
    expect(book.bids[0]!.price).toBe(2990.64);
    expect(book.asks[0]!.price).toBe(2990.71);
    for (const [i, [p, q]] of raw.data.bids.entries()) {
      same(book.bids[i]!.price, p);
      same(book.bids[i]!.size, q);
    }
  });

  it('ws_swap_kline_1m: the candle of the minute starting at T', () => {
    const { kline } = only(parser.parseText(line('ws_swap_kline_1m.real.jsonl'), RX), 'kline');
    expect(kline).toEqual({ symbol: 'ETHUSDT', interval: '1m', openTime: 1714650540000, open: 2991.5, high: 2991.55, low: 2989.04, close: 2989.57, volume: 215.89 });
    expect(kline.openTime % 60_000).toBe(0);
  });

  it('ws_swap_markPrice: a Ticker with the mark price only (no funding in this stream)', () => {
    const { ticker } = only(parser.parseText(line('ws_swap_markPrice.real.jsonl'), RX), 'ticker');
    expect(ticker).toEqual({ exchange: 'bingx', market: 'perp', symbol: 'ETHUSDT', markPrice: 2999.63, exchangeTs: 1714650884021, receivedTs: RX });
    expect('fundingRate' in ticker).toBe(false);
  });

  it('ws_swap_lastPrice, ws_swap_bookTicker and ws_swap_ticker', () => {
    expect(parser.parseText(line('ws_swap_lastPrice.real.jsonl'), RX)).toEqual({ kind: 'last-price', symbol: 'ETHUSDT', price: 2988.9, exchangeTs: 1714650774894, receivedTs: RX });
    expect(only(parser.parseText(line('ws_swap_bookTicker.real.jsonl'), RX), 'book-top').top).toEqual({
      symbol: 'ETHUSDT', bidPrice: 2993.59, bidSize: 13.24, askPrice: 2993.67, askSize: 9.78, exchangeTs: 1714650946618, receivedTs: RX,
    });
    expect(only(parser.parseText(line('ws_swap_ticker.real.jsonl'), RX), 'ticker-24h').ticker).toEqual({
      symbol: 'ETHUSDT', lastPrice: 2986.23, open: 2889.04, high: 3015.01, low: 2863.88, volume: 608870.36, quoteVolume: 1789842510.53,
      priceChange: 97.19, priceChangePercent: 3.36, exchangeTs: 1714650656745, receivedTs: RX,
    });
  });

  it('ws_swap_protocol (docs): subscription ack and refusal', () => {
    const docs = json('ws_swap_protocol.docs.json');
    expect(parser.parseText(JSON.stringify(docs.subscribe_ack), RX)).toEqual({ kind: 'ack', id: 'id1' });
    // The current docs add dataType "" and data null to the ack.
    expect(parser.parseText('{"id":"x","code":0,"msg":"","dataType":"","data":null}', RX)).toEqual({ kind: 'ack', id: 'x' });
    expect(parser.parseText('{"id":"x","code":80015,"msg":"dataType not supported"}', RX)).toEqual({ kind: 'venue-error', id: 'x', code: 80015, msg: 'dataType not supported', dataType: '' });
    expect(parser.parseText('{"ping":"abc","time":"2022-06-07T16:27:36.323+0800"}', RX)).toEqual({ kind: 'json-ping', id: 'abc', time: '2022-06-07T16:27:36.323+0800' });
  });
});

describe('BingxParser on incrDepth (format of the official docs sample)', () => {
  const frame = (action: string, id: number, bids: string[][], asks: string[][]) =>
    JSON.stringify({ code: 0, dataType: 'BTC-USDT@incrDepth', data: { action, lastUpdateId: id, time: 1760002514979, bids, asks } });

  it('keeps action, lastUpdateId and the levels (qty "0.0000" = delete) exactly', () => {
    const d = only(parser.parse(Buffer.from(gzip(frame('update', 393592635, [['121706.6', '16.8741'], ['121678.5', '0.0000']], [['122539.8', '0.0002']]))), RX), 'depth').depth;
    expect(d).toEqual({
      symbol: 'BTCUSDT', action: 'update', lastUpdateId: 393592635, time: 1760002514979, receivedTs: RX,
      bids: [{ price: 121706.6, size: 16.8741 }, { price: 121678.5, size: 0 }],
      asks: [{ price: 122539.8, size: 0.0002 }],
    });
  });

  it('rejects bad actions, ids and levels as malformed', () => {
    for (const bad of [frame('diff', 1, [], []), frame('all', 1.5, [], []), frame('all', 1, [['x', '1']], []), frame('all', 1, [['-1', '1']], [])]) {
      expect(parser.parseText(bad, RX)).toMatchObject({ kind: 'error', reason: 'malformed', symbol: 'BTCUSDT' });
    }
  });
});

describe('BingxParser never throws on bad input', () => {
  it('classifies broken frames', () => {
    const good = line('ws_swap_trade.real.jsonl');
    const gz = Buffer.from(gzip(good));
    expect(parser.parse(gz.subarray(0, gz.length >> 1), RX)).toMatchObject({ kind: 'error', reason: 'bad-gzip' });
    expect(parser.parse(Buffer.from(good), RX)).toMatchObject({ kind: 'error', reason: 'bad-gzip' });
    expect(parser.parse(Buffer.from(gzip(good.slice(0, 50))), RX)).toMatchObject({ kind: 'error', reason: 'malformed' });
    expect(parser.parseText(good.replace(/ETH-USDT/g, 'DOGE-USDT'), RX)).toMatchObject({ kind: 'error', reason: 'unknown-symbol' });
    expect(parser.parseText('{"code":0,"dataType":"ETH-USDT@nothing","data":{}}', RX)).toMatchObject({ kind: 'error', reason: 'unknown-event' });
    expect(parser.parseText('[1,2]', RX)).toMatchObject({ kind: 'error', reason: 'malformed' });
    expect(parser.parseText('{"hello":1}', RX)).toMatchObject({ kind: 'error', reason: 'unknown-event' });
    expect(parser.parseText(good.replace('"m":false', '"m":"no"'), RX)).toMatchObject({ kind: 'error', reason: 'malformed' });
  });

  it('survives every truncation and byte flip of real frames', () => {
    const frames = ['ws_swap_trade.real.jsonl', 'ws_swap_depth20.real.jsonl', 'ws_swap_kline_1m.real.jsonl', 'ws_swap_markPrice.real.jsonl'].map(line);
    for (const f of frames) {
      for (let cut = 0; cut < f.length; cut += 7) expect(() => parser.parseText(f.slice(0, cut), RX)).not.toThrow();
      const gz = Buffer.from(gzip(f));
      for (let i = 0; i < gz.length; i += 3) {
        const copy = Buffer.from(gz);
        copy[i] = copy[i]! ^ 0x5a;
        expect(() => parser.parse(copy, RX)).not.toThrow();
      }
    }
  });
});

describe('BingX REST bodies (captured and docs)', () => {
  it('depth: levels best first, exact, with T', () => {
    for (const f of ['rest_swap_v2_quote_depth.likely-real.json', 'rest_swap_v2_quote_depth.docs.json']) {
      const body = json(f);
      const snap = parseRestDepth(restData(body), RX);
      expect(snap.exchangeTs).toBe(body.data.T);
      const sortDesc = (l: string[][]) => [...l].sort((a, b) => Number(b[0]) - Number(a[0]));
      expect(snap.bids.map((l) => [l.price, l.size])).toEqual(sortDesc(body.data.bids).map(([p, q]) => [Number(p), Number(q)]));
      expect(snap.asks.map((l) => [l.price, l.size])).toEqual(sortDesc(body.data.asks).reverse().map(([p, q]) => [Number(p), Number(q)]));
      sortDesc(body.data.bids).forEach(([p], i) => same(snap.bids[i]!.price, p!));
    }
    const real = parseRestDepth(restData(json('rest_swap_v2_quote_depth.likely-real.json')), RX);
    expect([real.bids[0]!.price, real.asks[0]!.price]).toEqual([0.000009854, 0.000009856]);
  });

  it('trades: oldest first, exact, aggressor from isBuyerMaker', () => {
    const body = json('rest_swap_v2_quote_trades.likely-real.json');
    const trades = parseRestTrades(restData(body), 'BTCUSDT', 'perp', RX);
    expect(trades).toHaveLength(10);
    const chronological = [...body.data].reverse();
    trades.forEach((t, i) => {
      const r = chronological[i];
      same(t.price, r.price);
      same(t.size, r.qty);
      expect(t).toMatchObject({ exchange: 'bingx', symbol: 'BTCUSDT', exchangeTs: r.time, side: r.isBuyerMaker ? Side.SIDE_SELL : Side.SIDE_BUY });
    });
    expect(trades.at(-1)).toMatchObject({ price: 42214, size: 0.0248, side: Side.SIDE_SELL, exchangeTs: 1702719269849 });
  });

  it('klines v3 (capture) and v2 (docs): ascending by open time, exact', () => {
    expect(parseRestKlines(restData(json('rest_swap_v3_quote_klines.likely-real.json')), 'KNCUSDT', '1h')).toEqual([
      { symbol: 'KNCUSDT', interval: '1h', openTime: 1702717200000, open: 0.7034, high: 0.7081, low: 0.7033, close: 0.7065, volume: 635494 },
    ]);
    const v2 = parseRestKlines([...(restData(json('rest_swap_v2_quote_klines.docs.json')) as unknown[])].reverse(), 'BTCUSDT', '5m');
    expect(v2.map((k) => k.openTime)).toEqual([1666583700000, 1666584000000]);
    expect(v2[1]).toMatchObject({ open: 19394.4, high: 19394.4, low: 19368.3, close: 19379, volume: 167.44 });
  });

  it('openInterest and premiumIndex become Tickers; absent stays absent', () => {
    expect(parseRestOpenInterest(restData(json('rest_swap_v2_quote_openInterest.likely-real.json')), 'EOSUSDT', 'perp', RX)).toEqual({
      exchange: 'bingx', market: 'perp', symbol: 'EOSUSDT', openInterest: 7409966.52, exchangeTs: 1702719692859, receivedTs: RX,
    });
    expect(parseRestPremiumIndex(restData(json('rest_swap_v2_quote_premiumIndex.likely-real.json')), 'BTCUSDT', 'perp', RX)).toEqual({
      exchange: 'bingx', market: 'perp', symbol: 'BTCUSDT', markPrice: 42216.4, indexPrice: 42219.9, fundingRate: 0.000251, nextFundingTs: 1702742400000,
      exchangeTs: RX, receivedTs: RX,
    });
  });

  it('a non-zero code throws BingxRestError with the code', () => {
    expect(() => restData({ code: 109425, msg: 'Trading pair does not exist' })).toThrow(BingxRestError);
    try {
      restData({ code: 109425, msg: 'x' });
    } catch (e) {
      expect((e as BingxRestError).code).toBe(109425);
    }
    expect(() => parseRestDepth({ bids: [['a']] }, RX)).toThrow();
  });
});
