import { Side } from '@pricelevel/contracts';
import { systemClock } from '@pricelevel/platform';
import pako from 'pako';
import { describe, expect, it } from 'vitest';
import { HtxWsConnection } from '../src/exchanges/htx/htx-ws.js';
import { HtxParser, parseRestDepth, parseRestKlines, parseRestTrades, type HtxEvent } from '../src/exchanges/htx/parsers.js';
import { silentLogger } from '@pricelevel/platform';
import { fieldLiterals, htxGzipFrames, htxLines, htxText, levelLiterals, literalToPlain, numberToPlain } from './helpers/htx-fixtures.js';

const symbolsIn = (lines: string[]) => [...new Set(lines.map((l) => /market\.([a-z0-9]+)\./.exec(l)?.[1]).filter((s): s is string => !!s).map((s) => s.toUpperCase()))];
const RECV = 1_700_000_000_000;

/** Each parsed level equals, digit for digit, the literal it came from. */
function expectLevelsExact(levels: { price: number; size: number }[], literals: [string, string][]): void {
  expect(levels.map((l) => [numberToPlain(l.price), numberToPlain(l.size)])).toEqual(literals.map(([p, s]) => [literalToPlain(p), literalToPlain(s)]));
}

describe('HtxParser on the real captures', () => {
  it('trade.detail (10 symbols): every trade, exact ids beyond 2^53, exact prices and sizes', () => {
    const lines = htxLines('ws_trade_detail.real.jsonl');
    const parser = new HtxParser(symbolsIn(lines));
    let total = 0;
    for (const line of lines) {
      const e = parser.parse(line, RECV);
      if (e.kind !== 'trades') throw new Error(`expected trades, got ${JSON.stringify(e)}`);
      const items = (JSON.parse(line) as { tick: { data: { tradeId: number; ts: number; direction: string }[] } }).tick.data;
      // Frames list trades newest first; the parser hands them on in trade order.
      const ordered = items.slice().sort((a, b) => a.tradeId - b.tradeId);
      const idLits = fieldLiterals(line, 'id').slice(1); // the first is tick.id
      const byTradeId = new Map(items.map((it, k) => [it.tradeId, { it, k }]));
      const prices = fieldLiterals(line, 'price');
      const amounts = fieldLiterals(line, 'amount');
      expect(e.trades.map((t) => t.tradeId)).toEqual(ordered.map((it) => String(it.tradeId)));
      e.trades.forEach((t, i) => {
        const { it, k } = byTradeId.get(Number(t.tradeId))!;
        expect(e.ids[i]).toBe(idLits[k]);
        expect(numberToPlain(t.price)).toBe(literalToPlain(prices[k]!));
        expect(numberToPlain(t.size)).toBe(literalToPlain(amounts[k]!));
        expect(t.side).toBe(it.direction === 'buy' ? Side.SIDE_BUY : Side.SIDE_SELL);
        expect(t.exchangeTs).toBe(it.ts);
        expect([t.exchange, t.market, t.receivedTs, t.tradeCount]).toEqual(['htx', 'spot', RECV, 1]);
        expect(t.symbol).toBe(/market\.([a-z0-9]+)\./.exec(line)![1]!.toUpperCase());
      });
      total += e.trades.length;
    }
    expect(total).toBe(lines.reduce((n, l) => n + (JSON.parse(l) as { tick: { data: unknown[] } }).tick.data.length, 0));
    expect(total).toBeGreaterThan(lines.length); // some pushes carry several trades
    // The first capture, spelled out: price 9.2E-7, id 100182534526255757567432481.
    expect(parser.parse(lines[0]!, RECV)).toEqual({
      kind: 'trades',
      symbol: 'TRIOETH',
      ids: ['100182534526255757567432481'],
      trades: [{ exchange: 'htx', market: 'spot', symbol: 'TRIOETH', tradeId: '100045088885', price: 9.2e-7, size: 20995.88, side: Side.SIDE_BUY, exchangeTs: 1618678027940, receivedTs: RECV, tradeCount: 1 }],
    });
  });

  it('trade.detail btcusdt with amount 1.98E-4', () => {
    const [line] = htxLines('ws_trade_detail_btcusdt.real.jsonl');
    expect(new HtxParser(['BTCUSDT']).parse(line!, RECV)).toEqual({
      kind: 'trades',
      symbol: 'BTCUSDT',
      ids: ['123140716701236887569077664'],
      trades: [{ exchange: 'htx', market: 'spot', symbol: 'BTCUSDT', tradeId: '102357140867', price: 58911.07, size: 0.000198, side: Side.SIDE_SELL, exchangeTs: 1616243199156, receivedTs: RECV, tradeCount: 1 }],
    });
  });

  it('depth.step0 (292 full books, tiny exponent prices): every level exact', () => {
    const lines = htxLines('ws_depth_step0.real.jsonl');
    const parser = new HtxParser(symbolsIn(lines));
    for (const line of lines) {
      const e = parser.parse(line, RECV);
      if (e.kind !== 'depth') throw new Error(`expected depth, got ${JSON.stringify(e).slice(0, 200)}`);
      const msg = JSON.parse(line) as { ch: string; tick: { version: number; ts: number } };
      expect([e.depth.symbol, e.depth.version, e.depth.ts]).toEqual([msg.ch.split('.')[1]!.toUpperCase(), msg.tick.version, msg.tick.ts]);
      expectLevelsExact(e.depth.bids, levelLiterals(line, 'bids'));
      expectLevelsExact(e.depth.asks, levelLiterals(line, 'asks'));
    }
    expect(lines).toHaveLength(292);
  });

  it('the raw gzip frames: every one gunzips and parses to what its text says, none dropped', () => {
    const frames = htxGzipFrames();
    const texts = frames.map((b) => pako.ungzip(b, { to: 'string' }));
    const parser = new HtxParser(symbolsIn(texts));
    const kinds: Record<string, number> = {};
    frames.forEach((bytes, i) => {
      const e = parser.parse(bytes, RECV);
      kinds[e.kind] = (kinds[e.kind] ?? 0) + 1;
      // Same result as parsing the decompressed text.
      expect(e).toEqual(parser.parse(texts[i]!, RECV));
    });
    expect(kinds).toEqual({ ack: 20, depth: 292, trades: 44, ping: 6 });
    // The decompressed trade frames are the ones in ws_trade_detail.real.jsonl, in order.
    expect(texts.filter((t) => t.includes('trade.detail') && t.includes('"tick"'))).toEqual(htxLines('ws_trade_detail.real.jsonl'));
  });

  it('sub acks and pings', () => {
    const parser = new HtxParser(['BTCUSDT']);
    const acks = htxLines('ws_sub_ack.real.jsonl').map((l) => parser.parse(l, RECV));
    expect(acks[0]).toEqual({ kind: 'ack', op: 'sub', id: '1', topic: 'market.trioeth.depth.step0' });
    expect(acks.every((a) => a.kind === 'ack')).toBe(true);
    const pings = htxLines('ws_ping.real.jsonl').map((l) => parser.parse(l, RECV));
    expect(pings).toEqual(htxLines('ws_ping.real.jsonl').map((l) => ({ kind: 'ping', ping: /\d+/.exec(l)![0] })));
  });

  it('the client frames we send match the captured client traffic (sub with id, pong echoing the ping)', () => {
    const sent = htxLines('ws_client_sent.real.jsonl');
    const topics = sent.filter((l) => l.includes('"sub"')).map((l) => (JSON.parse(l) as { sub: string }).sub);
    const conn = new HtxWsConnection({ url: 'ws://127.0.0.1:1/ws', topics, clock: systemClock, logger: silentLogger, onFrame() {}, onOpen() {}, onClose() {} });
    const frames = conn.subscribeFrames().map((f) => JSON.parse(f) as { sub: string; id: string });
    const captured = sent.filter((l) => l.includes('"sub"')).map((l) => JSON.parse(l) as { sub: string; id: number });
    expect(frames.map((f) => [Object.keys(f), f.sub])).toEqual(captured.map((c) => [Object.keys(c), c.sub]));
    // pong: the ping's integer, verbatim.
    const pongs = sent.filter((l) => l.includes('pong'));
    const pings = htxLines('ws_ping.real.jsonl').map((l) => new HtxParser([]).parse(l, 0));
    expect(pings.map((p) => (p.kind === 'ping' ? `{"pong":${p.ping}}` : ''))).toEqual(pongs);
  });

  it('mbp incrementals (mbp.20 one-sided, mbp.150 both sides) and the REQ refresh', () => {
    const parser = new HtxParser(['BTCUSDT']);
    const [a, b] = htxLines('ws_mbp_incremental.real.jsonl');
    expect(parser.parse(a!, RECV)).toEqual({
      kind: 'mbp',
      update: { symbol: 'BTCUSDT', seqNum: 129803485567, prevSeqNum: 129803485424, bids: [{ price: 38765.39, size: 0 }, { price: 38762.87, size: 0.009708 }], asks: [{ price: 38762.88, size: 0.102302 }], ts: 1622707662703, receivedTs: RECV },
    });
    expect(parser.parse(b!, RECV)).toEqual({
      kind: 'mbp',
      update: { symbol: 'BTCUSDT', seqNum: 140059393690, prevSeqNum: 140059393689, bids: [], asks: [{ price: 61945.07, size: 0.000533 }], ts: 1634601197516, receivedTs: RECV },
    });
    for (const line of htxLines('htx_spot_btcusdt_mbp150_sequence.real-trimmed.jsonl')) {
      const e = parser.parse(line, RECV);
      const isRep = line.includes('"rep"');
      expect(e.kind).toBe(isRep ? 'mbp-refresh' : 'mbp');
      const lv = e.kind === 'mbp' ? e.update : e.kind === 'mbp-refresh' ? e.refresh : null;
      expectLevelsExact(lv!.bids, levelLiterals(line, 'bids'));
      expectLevelsExact(lv!.asks, levelLiterals(line, 'asks'));
      if (e.kind === 'mbp-refresh') expect([e.refresh.id, e.refresh.seqNum, e.refresh.ts]).toEqual(['1', 109409288160, 1593561601666]);
    }
  });

  it('kline.1min push → an exchange candle (id in seconds, amount = base, vol = quote)', () => {
    const [line] = htxLines('ws_kline.real.jsonl');
    expect(new HtxParser(['BTCUSDT']).parse(line!, RECV)).toEqual({
      kind: 'kline',
      candle: {
        exchange: 'htx', market: 'spot', symbol: 'BTCUSDT', interval: '1m', openTime: 1654081320000, closeTime: 1654081380000,
        open: 31545.71, high: 31545.72, low: 31545.71, close: 31545.72, volume: 0.015443758717188892, quoteVolume: 487.1844552,
        buyVolume: 0, buyQuoteVolume: 0, tradeCount: 4, version: 1, final: false, source: 'exchange',
      },
    });
  });

  it('depth.step1, bbo and detail pushes', () => {
    const [step1, bbo, detail] = htxLines('ws_bbo_detail_depthstep1.real.jsonl').map((l) => new HtxParser(['BTCUSDT']).parse(l, RECV));
    expect(step1).toMatchObject({ kind: 'depth', depth: { version: 155386874272, bids: [{ price: 31638.9, size: 2.436837 }, { price: 31638.5, size: 0.349474 }, { price: 31637.9, size: 0.862589 }] } });
    expect(bbo).toEqual({ kind: 'bbo', bbo: { symbol: 'BTCUSDT', seqId: 155441231856, bid: 31764.08, bidSize: 4.378544, ask: 31764.09, askSize: 0.794873, quoteTime: 1654031600064, receivedTs: RECV } });
    expect(detail).toEqual({ kind: 'detail', symbol: 'BTCUSDT', open: 31666.3, high: 31899.51, low: 29326.15, close: 29952.31, amount: 26897.159881877742, vol: 818158859.8785326, count: 699452, ts: 1654164208520 });
  });

  it('REST /market/depth and /market/history/kline bodies', () => {
    for (const f of ['rest_market_depth.real.json', 'rest_market_depth.likely-real.json']) {
      const text = htxText(f);
      const d = parseRestDepth(JSON.parse(text), 'BTCUSDT', RECV);
      expectLevelsExact(d.bids, levelLiterals(text.replace(/\s+/g, ''), 'bids'));
      expectLevelsExact(d.asks, levelLiterals(text.replace(/\s+/g, ''), 'asks'));
    }
    expect(parseRestDepth(JSON.parse(htxText('rest_market_depth.real.json')), 'BTCUSDT', RECV).bids[1]).toEqual({ price: 29804.73, size: 0.0002 });
    const candles = parseRestKlines(JSON.parse(htxText('rest_market_history_kline.likely-real.json')), 'BTCUSDT', '5min', 1629769247172);
    expect(candles.map((c) => [c.openTime, c.open, c.close, c.volume, c.quoteVolume, c.tradeCount, c.final])).toEqual([
      [1629768900000, 48994.61, 49056.37, 30.72223099519689, 1505870.732227976, 1504, true],
      [1629769200000, 49056.37, 49025.51, 3.946281917950917, 193489.67275732, 196, false],
    ]);
    expect(() => parseRestDepth({ status: 'error', 'err-code': 'invalid-parameter', 'err-msg': 'invalid symbol' }, 'X', 0)).toThrow(/invalid symbol/);
  });

  it('REST /market/history/trade keeps ids beyond 2^53 exact, oldest first', () => {
    const text = '{"ch":"market.btcusdt.trade.detail","status":"ok","ts":1,"data":[{"id":20,"ts":5,"data":[{"id":100182534526255757567432482,"ts":5,"trade-id":102,"amount":1.98E-4,"price":9.2E-7,"direction":"buy"},{"id":100182534526255757567432481,"ts":5,"trade-id":101,"amount":2,"price":3,"direction":"sell"}]},{"id":10,"ts":4,"data":[{"id":9007199254740993,"ts":4,"trade-id":100,"amount":1,"price":1,"direction":"buy"}]}]}';
    const r = parseRestTrades(text, 'BTCUSDT', RECV);
    expect(r.ids).toEqual(['9007199254740993', '100182534526255757567432481', '100182534526255757567432482']);
    expect(r.trades.map((t) => [t.tradeId, t.price, t.size])).toEqual([['100', 1, 1], ['101', 3, 2], ['102', 9.2e-7, 0.000198]]);
  });
});

describe('HtxParser on bad input: typed errors, never a throw', () => {
  const parser = new HtxParser(['BTCUSDT']);
  const reason = (e: HtxEvent) => (e.kind === 'error' ? e.reason : e.kind);

  it('classifies malformed, corrupt gzip, unknown symbol and unknown frames', () => {
    expect(reason(parser.parse('{"ch":', RECV))).toBe('malformed');
    expect(reason(parser.parse(Buffer.from('not gzip at all'), RECV))).toBe('corrupt-gzip');
    const gz = pako.gzip('{"ping":1}');
    expect(reason(parser.parse(Buffer.concat([gz.subarray(0, 10), Buffer.alloc(20, 0xff)]), RECV))).toBe('corrupt-gzip');
    expect(parser.parse(Buffer.from(gz), RECV)).toEqual({ kind: 'ping', ping: '1' });
    expect(parser.parse(htxLines('ws_trade_detail.real.jsonl')[0]!, RECV)).toMatchObject({ kind: 'error', reason: 'unknown-symbol', symbol: 'TRIOETH' });
    expect(reason(parser.parse('{"foo":1}', RECV))).toBe('unknown-event');
    expect(reason(parser.parse('[1,2]', RECV))).toBe('malformed');
    expect(reason(parser.parse('{"ch":"market.btcusdt.mbp.150","ts":1,"tick":{"seqNum":5,"prevSeqNum":5,"bids":[],"asks":[]}}', RECV))).toBe('malformed');
    expect(reason(parser.parse('{"ch":"market.btcusdt.mbp.150","ts":1,"tick":{"seqNum":6,"prevSeqNum":5,"bids":[[1,-2]],"asks":[]}}', RECV))).toBe('malformed');
    // A trade id that is not an integer cannot be a venue id.
    expect(reason(parser.parse('{"ch":"market.btcusdt.trade.detail","ts":1,"tick":{"id":1,"ts":1,"data":[{"id":1.5,"ts":1,"tradeId":2,"amount":1,"price":1,"direction":"buy"}]}}', RECV))).toBe('malformed');
    expect(parser.parse('{"status":"error","ts":1,"id":"r3","err-code":"bad-request","err-msg":"invalid topic x"}', RECV)).toEqual({ kind: 'venue-error', id: 'r3', code: 'bad-request', msg: 'invalid topic x' });
  });

  it('survives every truncation and byte flip of real frames', () => {
    const frames = htxGzipFrames().slice(0, 40);
    for (const f of frames) {
      for (let cut = 0; cut < f.length; cut += 7) expect(() => parser.parse(f.subarray(0, cut), RECV)).not.toThrow();
      const text = pako.ungzip(f, { to: 'string' });
      for (let cut = 0; cut < text.length; cut += 11) expect(() => parser.parse(text.slice(0, cut), RECV)).not.toThrow();
      const flipped = Buffer.from(f);
      flipped[Math.floor(f.length / 2)] ^= 0x5a;
      expect(() => parser.parse(flipped, RECV)).not.toThrow();
    }
  });
});
