// Frames for the Bybit, BingX and HTX benchmarks: real captured frames where we hold them, and for
// BingX depth a real-protocol incrDepth session recorded from the project's BingX simulator.
import { readFileSync } from 'node:fs';
import pako from 'pako';
import WebSocket from 'ws';
import { BingxSim } from '@pricelevel/exchange-sim';

const fixture = (rel) => readFileSync(new URL(`../fixtures/${rel}`, import.meta.url));
const lines = (rel) => fixture(rel).toString('utf8').split('\n').filter(Boolean);
const unzip = (b) => pako.ungzip(b, { to: 'string' });

/** Real publicTrade frames; the real XRPUSDT orderbook.500 snapshot and the 49 deltas that follow it. */
export function bybitFrames() {
  const [snapshot, ...deltas] = lines('orderbook/bybit_linear_XRPUSDT_orderbook500_2024-12-01.real.jsonl');
  return { trades: lines('bybit/ws_publicTrade.real.jsonl'), snapshot, deltas };
}

/** The real ETH-USDT @trade frame (23 trades) gzipped; an incrDepth session: `all`, then `updates`. */
export async function bingxFrames(ticks = 2000) {
  const sim = await BingxSim.start({ seed: 1, symbols: ['BTCUSDT'], autoTick: false, depthPushMs: 100 });
  const ws = new WebSocket(sim.urls.perpWs);
  const frames = [];
  try {
    ws.on('message', (d) => frames.push(Buffer.from(d)));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ id: 'bench', reqType: 'sub', dataType: 'BTC-USDT@incrDepth' }));
    const deadline = Date.now() + 30_000;
    const waitFor = async (done) => {
      while (!done()) {
        if (Date.now() > deadline) throw new Error('BingX simulator session did not complete');
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    await waitFor(() => frames.length >= 2);
    sim.tick(ticks);
    const want = sim.book('perp', 'BTCUSDT').seq;
    await waitFor(() => frames.length > 0 && JSON.parse(unzip(frames.at(-1))).data?.lastUpdateId === want);
  } finally {
    ws.close();
    await sim.close();
  }
  const depth = frames.filter((f) => JSON.parse(unzip(f)).data); // drop the subscription ack
  return { trade: fixture('bingx/ws_swap_trade.real.LOCALLY-GZIPPED.bin'), all: depth[0], updates: depth.slice(1) };
}

/**
 * Real trade.detail gzip frames; real mbp.150 incrementals re-numbered into one unbroken
 * prevSeqNum chain of `chain` frames (re-gzipped) after the real refresh (`rep`) they start from.
 */
export function htxFrames(chain = 2000) {
  const raw = lines('htx/ws_raw_gzip_frames.real.b64.jsonl').map((l) => Buffer.from(JSON.parse(l).gzip_b64, 'base64'));
  const trades = raw.filter((b) => {
    const t = unzip(b);
    return t.includes('trade.detail","ts') && t.includes('"tick"');
  });
  const tradeSymbols = [...new Set(trades.map((b) => /market\.([a-z0-9]+)\./.exec(unzip(b))[1].toUpperCase()))];
  const seq = lines('htx/htx_spot_btcusdt_mbp150_sequence.real-trimmed.jsonl').map((l) => JSON.parse(l));
  const incs = seq.filter((m) => m.ch);
  const rep = seq.find((m) => m.rep);
  const start = rep.data.seqNum;
  const mbp = [];
  for (let k = 0; k < chain; k++) {
    const m = incs[k % incs.length];
    mbp.push(pako.gzip(JSON.stringify({ ...m, tick: { ...m.tick, seqNum: start + k + 1, prevSeqNum: start + k } })));
  }
  const refresh = {
    symbol: 'BTCUSDT', id: '1', seqNum: start, ts: 1, receivedTs: 1,
    bids: rep.data.bids.map(([price, size]) => ({ price, size })),
    asks: rep.data.asks.map(([price, size]) => ({ price, size })),
  };
  return { trades, tradeSymbols, mbp, refresh };
}
