import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { BingxReplay, BingxSim, BINGX_MAX_TOPICS, type BingxFaultKind } from '../src/index.js';
import { FIXTURES } from './helpers.js';
import { bxConnect, pushes, replayIncrDepth, type BxClient } from './bingx-helpers.js';

let sim: BingxSim | undefined;
let replay: BingxReplay | undefined;
const clients: BxClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await sim?.close();
  await replay?.close();
  sim = undefined;
  replay = undefined;
});

async function open(url: string, answerPings = true): Promise<BxClient> {
  const c = await bxConnect(url, answerPings);
  clients.push(c);
  return c;
}

describe('BingxSim protocol', () => {
  it('pings with gzipped "Ping", keeps a client that answers "Pong" and drops one that does not', async () => {
    sim = await BingxSim.start({ seed: 1, symbols: ['BTCUSDT'], autoTick: false, ping: { intervalMs: 50, timeoutMs: 150 } });
    const good = await open(sim.urls.perpWs, true);
    const silent = await open(sim.urls.perpWs, false);
    await silent.closed;
    expect(silent.frames.some((f) => f.text === 'Ping')).toBe(true);
    expect(good.ws.readyState).toBe(WebSocket.OPEN);
    expect(sim.stats().ws.pongTimeouts).toBe(1);
    expect(sim.stats().ws.pongsReceived).toBeGreaterThan(0);
  });

  it('refuses unknown dataTypes (80015), the 201st topic (80403) and bad requests (100400); unsub stops data', async () => {
    sim = await BingxSim.start({ seed: 1, symbols: ['BTCUSDT', 'ETHUSDT'], autoTick: false });
    const c = await open(sim.urls.perpWs);
    c.sub('BTC-USDT@nope', 'a');
    c.sub('XRP-USDT@trade', 'b');
    c.ws.send('not json');
    await c.waitFor((x) => x.msgs().length === 3, 5000, 'three replies');
    expect(c.msgs().map((m) => m.code)).toEqual([80015, 80015, 100400]);
    // Unsubscribe: no more trades for that topic after the ack.
    const e = await open(sim.urls.perpWs);
    e.sub('BTC-USDT@trade', 'sub');
    await e.waitFor((x) => x.msgs().some((m) => m.id === 'sub'));
    sim.tick(20);
    await e.waitFor((x) => pushes(x, 'BTC-USDT@trade').length > 0, 5000, 'trades');
    e.unsub('BTC-USDT@trade', 'unsub');
    await e.waitFor((x) => x.msgs().some((m) => m.id === 'unsub'));
    const before = pushes(e, 'BTC-USDT@trade').length;
    sim.tick(20);
    e.sub('BTC-USDT@markPrice', 'probe'); // a round trip proves the server has sent everything of those ticks
    await e.waitFor((x) => x.msgs().some((m) => m.id === 'probe'));
    expect(pushes(e, 'BTC-USDT@trade').length).toBe(before);
  });

  it('accepts 200 topics on a connection and refuses the 201st with 80403', async () => {
    const symbols = Array.from({ length: 41 }, (_, i) => `C${i}-USDT`);
    sim = await BingxSim.start({ seed: 1, symbols, autoTick: false });
    const c = await open(sim.urls.perpWs);
    const topics = symbols.flatMap((s) => ['trade', 'markPrice', 'lastPrice', 'bookTicker', 'kline_1m'].map((ch) => `${s}@${ch}`));
    topics.slice(0, BINGX_MAX_TOPICS + 1).forEach((t, i) => c.sub(t, `t${i}`));
    await c.waitFor((x) => x.msgs().length === BINGX_MAX_TOPICS + 1, 5000, 'replies');
    const codes = c.msgs().map((m) => m.code);
    expect(codes.slice(0, BINGX_MAX_TOPICS).every((k) => k === 0)).toBe(true);
    expect(codes[BINGX_MAX_TOPICS]).toBe(80403);
  });

  it('serves the WebSocket and REST on separate hosts, like the venue', async () => {
    sim = await BingxSim.start({ seed: 1, symbols: ['BTCUSDT'], autoTick: false });
    const wsOnRest = new WebSocket(sim.urls.perpRest.replace('http', 'ws') + '/swap-market');
    await expect(new Promise((resolve, reject) => { wsOnRest.once('open', resolve); wsOnRest.once('error', reject); })).rejects.toThrow();
    const restOnWs = await fetch(sim.urls.perpWs.replace('ws://', 'http://').replace('/swap-market', '') + '/openApi/swap/v2/quote/depth?symbol=BTC-USDT');
    expect(restOnWs.status).toBe(404);
    expect(sim.urls.perpWs.endsWith('/swap-market')).toBe(true);
  });
});

describe('BingxSim faults', () => {
  async function faulted(kind: BingxFaultKind) {
    sim = await BingxSim.start({ seed: 5, symbols: ['BTCUSDT', 'ETHUSDT'], autoTick: false, depthPushMs: 100, ping: { intervalMs: 40, timeoutMs: 120 } });
    const c = await open(sim.urls.perpWs);
    c.sub('BTC-USDT@incrDepth', 'b');
    c.sub('ETH-USDT@incrDepth', 'e');
    await c.waitFor((x) => pushes(x, 'BTC-USDT@incrDepth').length === 1 && pushes(x, 'ETH-USDT@incrDepth').length === 1);
    sim.tick(3);
    sim.fault({ kind, market: 'perp', symbol: 'BTC-USDT', durationMs: 100 });
    sim.tick(5);
    return c;
  }
  const ids = (c: BxClient, dt = 'BTC-USDT@incrDepth') => pushes(c, dt).slice(1).map((f) => f.data.lastUpdateId);
  const settle = (c: BxClient) => c.waitFor((x) => ids(x).at(-1) === sim!.book('perp', 'BTCUSDT').seq || x.ws.readyState !== WebSocket.OPEN, 5000, 'last push');

  it('gap: one lastUpdateId is skipped, the data still arrives', async () => {
    const c = await faulted('gap');
    await settle(c);
    const got = ids(c);
    const jumps = got.slice(1).map((id, i) => id - got[i]!);
    expect(jumps.filter((j) => j === 2)).toHaveLength(1);
    expect(sim!.faultsApplied()[0]).toMatchObject({ kind: 'gap', symbol: 'BTCUSDT' });
    // The other symbol's ids stay consecutive.
    const eth = ids(c, 'ETH-USDT@incrDepth');
    expect(eth.slice(1).every((id, i) => id === eth[i]! + 1)).toBe(true);
  });

  it('drop / duplicate / reorder act on one update of the symbol', async () => {
    for (const [kind, check] of [
      ['drop', (got: number[]) => expect(got.slice(1).some((id, i) => id === got[i]! + 2)).toBe(true)],
      ['duplicate', (got: number[]) => expect(new Set(got).size).toBe(got.length - 1)],
      ['reorder', (got: number[]) => expect(got.slice(1).some((id, i) => id < got[i]!)).toBe(true)],
    ] as const) {
      const c = await faulted(kind);
      await settle(c);
      check(ids(c));
      await sim!.close();
      sim = undefined;
    }
  });

  it('malformed sends truncated JSON inside valid gzip; corrupt-gzip sends bytes that are not gzip', async () => {
    let c = await faulted('malformed');
    await settle(c);
    expect(c.frames.filter((f) => f.text !== null && f.text !== 'Ping' && f.json === undefined)).toHaveLength(1);
    await sim!.close();
    c = await faulted('corrupt-gzip');
    await settle(c);
    expect(c.frames.filter((f) => f.text === null)).toHaveLength(1);
  });

  it('missed-pong: the server stops hearing Pong and drops the client at the deadline', async () => {
    const c = await faulted('missed-pong');
    await c.closed;
    expect(sim!.stats().ws.pongTimeouts).toBe(1);
    expect(c.frames.filter((f) => f.text === 'Ping').length).toBeGreaterThan(0);
  });

  it('disconnect drops every client; stall holds frames then delivers them in order', async () => {
    let c = await faulted('disconnect');
    await c.closed;
    await sim!.close();
    c = await faulted('stall');
    await settle(c);
    expect(replayIncrDepth(pushes(c, 'BTC-USDT@incrDepth'))).toEqual(sim!.book('perp', 'BTCUSDT'));
    expect(sim!.stats().ws.framesBufferedByStall).toBeGreaterThan(0);
  });

  it('rejects faults for other markets or unknown symbols', async () => {
    sim = await BingxSim.start({ seed: 5, symbols: ['BTCUSDT'], autoTick: false });
    expect(() => sim!.fault({ kind: 'drop', market: 'spot' })).toThrow(/not simulated/);
    expect(() => sim!.fault({ kind: 'drop', market: 'perp', symbol: 'DOGE-USDT' })).toThrow(/unknown symbol/);
    await expect(BingxSim.start({ seed: 1, symbols: ['BTCUSDT'], markets: ['spot'] })).rejects.toThrow(/perp/);
  });
});

describe('BingxReplay', () => {
  it('replays the captured frames verbatim (gzipped) and serves the captured REST bodies', async () => {
    replay = await BingxReplay.start();
    const dir = path.join(FIXTURES, 'bingx');
    const c = await open(replay.urls.perpWs);
    const files = fs.readdirSync(dir).filter((f) => /^ws_swap_.+\.real\.jsonl$/.test(f));
    for (const f of files) c.sub(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8').split('\n')[0]!).dataType, f);
    await c.waitFor((x) => x.frames.filter((fr) => fr.json?.data).length === files.length, 5000, 'replayed frames');
    const texts = c.frames.filter((fr) => fr.json?.data).map((fr) => fr.text);
    for (const f of files) expect(texts).toContain(fs.readFileSync(path.join(dir, f), 'utf8').split('\n')[0]);
    const body = await (await fetch(`${replay.urls.perpRest}/openApi/swap/v2/quote/trades?symbol=BTC-USDT`)).json();
    expect(body).toEqual(JSON.parse(fs.readFileSync(path.join(dir, 'rest_swap_v2_quote_trades.likely-real.json'), 'utf8')));
    expect(replay.stats().framesReplayed).toBe(files.length);
  });
});
