/* eslint-disable @typescript-eslint/no-explicit-any -- frames parsed off the wire are checked field by field */
import fs from 'node:fs';
import path from 'node:path';
import pako from 'pako';
import { afterEach, describe, expect, it } from 'vitest';
import { HtxSim, javaDouble } from '../src/index.js';
import { parseScaled } from '../src/decimal.js';
import { FIXTURES, readJson, readJsonl } from './helpers.js';
import { htxConnect, shape, type HtxCollector } from './htx-helpers.js';

let sim: HtxSim | undefined;
const conns: HtxCollector[] = [];
afterEach(async () => {
  for (const c of conns.splice(0)) c.ws.terminate();
  await sim?.close();
  sim = undefined;
});

const fixtureLines = (name: string) => fs.readFileSync(path.join(FIXTURES, 'htx', name), 'utf8').split('\n').filter((l) => l.trim());

async function open(url: string, opts: { pong?: boolean } = {}) {
  const c = await htxConnect(url, opts);
  conns.push(c);
  return c;
}

describe('javaDouble: HTX number spelling', () => {
  it('reproduces every price and size literal of the real depth and trade captures', () => {
    const literals = new Set<string>();
    for (const f of ['ws_depth_step0.real.jsonl', 'ws_trade_detail.real.jsonl', 'htx_spot_btcusdt_mbp150_sequence.real-trimmed.jsonl', 'ws_trade_detail_btcusdt.real.jsonl']) {
      for (const line of fixtureLines(f)) {
        for (const m of line.matchAll(/\[([-0-9.E]+),([-0-9.E]+)\]/g)) literals.add(m[1]!).add(m[2]!);
        for (const m of line.matchAll(/"(?:price|amount)":([-0-9.E]+)/g)) literals.add(m[1]!);
      }
    }
    expect(literals.size).toBeGreaterThan(1000);
    let checked = 0;
    for (const lit of literals) {
      if (lit === '0') continue; // an integer 0 written by a recorder that trimmed the capture
      // literal → exact scaled integer by moving the decimal point in the text, then back.
      const m = /^(\d+)(?:\.(\d+))?(?:E(-?\d+))?$/.exec(lit)!;
      const frac = m[2] ?? '';
      const exp = Number(m[3] ?? 0);
      const decimals = Math.max(0, frac.length - exp);
      const units = BigInt(m[1]! + frac) * 10n ** BigInt(Math.max(0, exp - frac.length));
      const expected = /^\d+$/.test(lit) ? `${lit}.0` : lit;
      expect(javaDouble(units, decimals), lit).toBe(expected);
      checked++;
    }
    expect(checked).toBe(literals.size - (literals.has('0') ? 1 : 0));
    expect([javaDouble(0n, 2), javaDouble(1n, 3), javaDouble(12345678n, 0), javaDouble(-5n, 4)]).toEqual(['0.0', '0.001', '1.2345678E7', '-5.0E-4']);
  });
});

describe('HtxSim protocol (live)', () => {
  it('serves every frame gzip, in the real field layout: ack, trade.detail, kline, ping, mbp incremental, REQ refresh', async () => {
    sim = await HtxSim.start({ seed: 1, symbols: ['BTCUSDT'], autoTick: false, pingIntervalMs: 100 });
    const ws = await open(sim.urls.spotWs);
    ws.send({ sub: 'market.btcusdt.trade.detail', id: 1 });
    ws.send({ sub: 'market.btcusdt.kline.1min', id: 2 });
    await ws.waitFor((m) => m.filter((x) => x?.subbed).length === 2, 'acks');
    const feed = await open(sim.urls.spotFeed);
    feed.send({ sub: 'market.btcusdt.mbp.150', id: 'f1' });
    await feed.waitFor((m) => m.some((x) => x?.subbed), 'feed ack');
    sim.tick(30);
    await ws.waitFor((m) => m.some((x) => x?.ch?.endsWith('trade.detail')) && m.some((x) => x?.ch?.includes('kline')) && m.some((x) => x?.ping), 'pushes');
    await feed.waitFor((m) => m.filter((x) => x?.ch).length >= 30, 'mbp');
    feed.send({ req: 'market.btcusdt.mbp.150', id: '1' });
    await feed.waitFor((m) => m.some((x) => x?.rep), 'rep');
    expect(ws.binary.every(Boolean) && feed.binary.every(Boolean)).toBe(true);
    expect(ws.texts.every((t) => t.length > 0)).toBe(true);

    const real = (name: string, pick = (_m: any) => true) => readJsonl(`htx/${name}`).find(pick);
    expect(shape(ws.msgs.find((x) => x?.subbed))).toEqual(shape(real('ws_sub_ack.real.jsonl')));
    expect(shape(ws.msgs.find((x) => x?.ch?.endsWith('trade.detail')))).toEqual(shape(real('ws_trade_detail_btcusdt.real.jsonl')));
    expect(shape(ws.msgs.find((x) => x?.ch?.includes('kline')))).toEqual(shape(real('ws_kline.real.jsonl')));
    expect(shape(ws.msgs.find((x) => x?.ping))).toEqual(shape(real('ws_ping.real.jsonl')));
    const seq = 'htx_spot_btcusdt_mbp150_sequence.real-trimmed.jsonl';
    expect(shape(feed.msgs.find((x) => x?.ch && x.tick.bids.length && x.tick.asks.length))).toEqual(shape(real(seq, (m) => m.ch)));
    expect(shape(feed.msgs.find((x) => x?.rep))).toEqual(shape(real(seq, (m) => m.rep)));
    // Trade ids beyond 2^53 are sent as exact integer literals.
    const tradeText = ws.texts.find((t) => t.includes('trade.detail') && t.includes('"tick"'))!;
    const ids = [...tradeText.matchAll(/"id":(\d+),"ts":\d+,"tradeId"/g)].map((m) => m[1]!);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => id.length > 16 && BigInt(id) > BigInt(Number.MAX_SAFE_INTEGER))).toBe(true);
    expect(sim.trades('spot', 'BTCUSDT').map((t) => t.id)).toEqual(expect.arrayContaining(ids));
  });

  it('the mbp chain: prevSeqNum = previous seqNum, empty frames included, and refresh + incrementals rebuild book()', async () => {
    sim = await HtxSim.start({ seed: 2, symbols: ['BTCUSDT', 'ETHUSDT'], autoTick: false, tradesPerSecond: 1 });
    const feed = await open(sim.urls.spotFeed);
    feed.send({ sub: ['market.btcusdt.mbp.150', 'market.ethusdt.mbp.150'], id: 'a' });
    await feed.waitFor((m) => m.filter((x) => x?.subbed).length === 2, 'acks');
    feed.send({ req: 'market.btcusdt.mbp.150', id: 'r' });
    await feed.waitFor((m) => m.some((x) => x?.rep), 'rep');
    sim.tick(60);
    await feed.waitFor((m) => m.filter((x) => x?.ch === 'market.btcusdt.mbp.150').length === 60, 'incrementals');
    const rep = feed.msgs.find((x) => x?.rep).data;
    const incs = feed.msgs.filter((x) => x?.ch === 'market.btcusdt.mbp.150').map((x) => x.tick);
    let prev = rep.seqNum;
    const bids = new Map<number, number>(rep.bids);
    const asks = new Map<number, number>(rep.asks);
    for (const t of incs) {
      expect(t.prevSeqNum).toBe(prev);
      prev = t.seqNum;
      for (const [p, q] of t.bids) {
        if (q === 0) bids.delete(p);
        else bids.set(p, q);
      }
      for (const [p, q] of t.asks) {
        if (q === 0) asks.delete(p);
        else asks.set(p, q);
      }
    }
    expect(sim.stats().emptyMbpEvents).toBeGreaterThan(0);
    const view = sim.book('spot', 'BTCUSDT');
    expect(view.seq).toBe(prev);
    expect({ bids: [...bids].sort((a, b) => b[0] - a[0]), asks: [...asks].sort((a, b) => a[0] - b[0]) }).toEqual({ bids: view.bids, asks: view.asks });
    expect(view.bids).toHaveLength(150);
  });

  it('answers bad requests the way the venue does', async () => {
    sim = await HtxSim.start({ seed: 3, symbols: ['BTCUSDT'], autoTick: false });
    const ws = await open(sim.urls.spotWs);
    const errs = () => ws.msgs.filter((x) => x?.status === 'error');
    ws.send({ sub: 'market.btcusdt.mbp.150', id: 1 }); // MBP lives on /feed only
    ws.send({ sub: 'market.nosuch.trade.detail', id: 2 });
    ws.send({ unsub: 'market.btcusdt.trade.detail', id: 3 });
    ws.send('not json');
    await ws.waitFor(() => errs().length === 4, 'errors');
    expect(errs().map((e) => [e.id, e['err-code'], e['err-msg']])).toEqual([
      [1, 'bad-request', 'invalid topic market.btcusdt.mbp.150'],
      [2, 'bad-request', 'invalid symbol nosuch'],
      [3, 'bad-request', 'unsub with not subbed topic'],
      [null, 'bad-request', 'not json string'],
    ]);
    const feed = await open(sim.urls.spotFeed);
    feed.send({ req: 'market.btcusdt.mbp.150', id: 'a' });
    feed.send({ req: 'market.btcusdt.mbp.150', id: 'b' });
    await feed.waitFor((m) => m.length >= 2, 'answers');
    expect(feed.msgs.map((x) => x.status)).toEqual(['ok', 'error']);
    expect(feed.msgs[1]['err-msg']).toBe('429 too many request');
  });

  it('drops a client right before the third ping when two went unanswered; a client that answers stays', async () => {
    sim = await HtxSim.start({ seed: 4, symbols: ['BTCUSDT'], autoTick: false, pingIntervalMs: 60 });
    const silent = await open(sim.urls.spotWs, { pong: false });
    const polite = await open(sim.urls.spotWs);
    await silent.closed;
    expect(silent.msgs.filter((m) => m?.ping)).toHaveLength(2);
    await polite.waitFor((m) => m.filter((x) => x?.ping).length >= 4, 'more pings');
    expect(polite.ws.readyState).toBe(polite.ws.OPEN);
    expect(sim.stats().server.pongTimeouts).toBe(1);
  });

  it('is deterministic per seed', async () => {
    const a = await HtxSim.start({ seed: 9, symbols: ['BTCUSDT'], autoTick: false });
    const b = await HtxSim.start({ seed: 9, symbols: ['BTCUSDT'], autoTick: false });
    a.tick(40);
    b.tick(40);
    expect(a.book('spot', 'BTCUSDT')).toEqual(b.book('spot', 'BTCUSDT'));
    expect(a.trades('spot', 'BTCUSDT').map((t) => [t.id, t.price, t.size])).toEqual(b.trades('spot', 'BTCUSDT').map((t) => [t.id, t.price, t.size]));
    await a.close();
    await b.close();
  });
});

describe('HtxSim REST', () => {
  it('klines from its own trades with exact decimal sums, newest first, size-limited; depth and trades in the real layout', async () => {
    let t = Date.UTC(2026, 0, 5, 10, 0, 0);
    const clock = { now: () => t };
    sim = await HtxSim.start({ seed: 5, symbols: ['BTCUSDT'], autoTick: false, clock, tradesPerSecond: 40 });
    for (let i = 0; i < 1500; i++) {
      sim.tick();
      t += 100;
    }
    const get = async (p: string) => (await fetch(`${sim!.urls.spotRest}${p}`)).text();
    const text = await get('/market/history/kline?symbol=btcusdt&period=1min&size=2');
    const body = JSON.parse(text);
    expect(shape(body)).toEqual(shape(readJson('htx/rest_market_history_kline.likely-real.json')));
    expect(body.data).toHaveLength(2);
    expect(body.data[0].id - body.data[1].id).toBe(60);
    const trades = sim.trades('spot', 'BTCUSDT');
    for (const k of body.data) {
      const inBucket = trades.filter((x) => x.ts >= k.id * 1000 && x.ts < k.id * 1000 + 60_000);
      expect(k.count).toBe(inBucket.length);
      // Exact sums over the decimal texts, compared with the literal in the body.
      const amount = inBucket.reduce((s, x) => s + parseScaled(String(x.size), 6), 0n);
      const vol = inBucket.reduce((s, x) => s + parseScaled(String(x.price), 2) * parseScaled(x.size.toFixed(6), 6), 0n);
      const lit = (f: string) => new RegExp(`"id":${k.id},.*?"${f}":([0-9.E-]+)`).exec(text)![1]!;
      expect(lit('amount')).toBe(javaDouble(amount, 6));
      expect(lit('vol')).toBe(javaDouble(vol, 8));
      expect(k.high).toBe(Math.max(...inBucket.map((x) => x.price)));
      expect(k.open).toBe(inBucket[0]!.price);
    }
    const depth = JSON.parse(await get('/market/depth?symbol=btcusdt&type=step0'));
    expect(shape(depth)).toEqual(shape(readJson('htx/rest_market_depth.real.json')));
    expect(depth.tick.bids).toHaveLength(150);
    expect(JSON.parse(await get('/market/depth?symbol=btcusdt&type=step0&depth=5')).tick.asks).toHaveLength(5);
    const hist = JSON.parse(await get('/market/history/trade?symbol=btcusdt&size=3'));
    expect(hist.data).toHaveLength(3);
    expect(Object.keys(hist.data[0].data[0]).sort()).toEqual(['amount', 'direction', 'id', 'price', 'trade-id', 'ts']);
    expect(JSON.parse(await get('/market/history/kline?symbol=BTCUSDT&period=1min'))).toMatchObject({ status: 'error', 'err-code': 'invalid-parameter' });
    expect(JSON.parse(await get('/market/history/kline?symbol=btcusdt&period=1min&size=2001'))).toMatchObject({ status: 'error' });
  });
});

describe('HtxSim replay mode', () => {
  it('replays the recorded gzip bytes verbatim and the recorded mbp.150 sequence around the REQ', async () => {
    sim = await HtxSim.start({ seed: 0, symbols: ['BTCUSDT'], mode: 'replay' });
    const ws = await open(sim.urls.spotWs);
    ws.send({ sub: 'market.trioeth.trade.detail', id: 11 });
    const recorded = readJsonl('htx/ws_raw_gzip_frames.real.b64.jsonl').map((r) => Buffer.from(r.gzip_b64, 'base64'));
    const trio = recorded.filter((b) => pako.ungzip(b, { to: 'string' }).includes('"ch":"market.trioeth.trade.detail"'));
    await ws.waitFor((m) => m.filter((x) => x?.ch === 'market.trioeth.trade.detail').length === trio.length, 'replayed trades');
    expect(ws.frames.slice(1).map((b) => b.toString('base64'))).toEqual(trio.map((b) => b.toString('base64')));
    const feed = await open(sim.urls.spotFeed);
    feed.send({ sub: 'market.btcusdt.mbp.150', id: 1 });
    await feed.waitFor((m) => m.filter((x) => x?.ch).length === 4, 'incrementals before the refresh');
    feed.send({ req: 'market.btcusdt.mbp.150', id: 'q' });
    await feed.waitFor((m) => m.filter((x) => x?.ch).length === 5, 'the rest');
    const real = readJsonl('htx/htx_spot_btcusdt_mbp150_sequence.real-trimmed.jsonl');
    expect(feed.msgs.slice(1)).toEqual(real.map((m) => (m.rep ? { ...m, id: 'q' } : m)));
  });
});
