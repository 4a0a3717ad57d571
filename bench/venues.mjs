// Bybit, BingX and HTX hot paths, each against its own floor on the same frames: JSON.parse for
// Bybit; gunzip + JSON.parse for the gzip venues, with pako's ungzip-to-string as their parsers use.
import pako from 'pako';
import { BingxBookSync, BingxParser, BybitBookSync, BybitParser, HtxBookSync, HtxParser } from '@pricelevel/collector';
import { againstFloor } from './measure.mjs';
import { bingxFrames, bybitFrames, htxFrames } from './venue-frames.mjs';

let sink = 0;
const unzip = (b) => pako.ungzip(b, { to: 'string' });

/** A floor loop over `frames` reading one field of each parsed frame. */
const floorOf = (frames, gz) => (n) => {
  for (let i = 0; i < n; i++) {
    const text = gz ? unzip(frames[i % frames.length]) : frames[i % frames.length];
    sink += JSON.parse(text).ts & 1;
  }
};

/**
 * frame → validated book → best bid/ask over a chain of diff frames. Before each round, enough syncs
 * to take `n` frames are made ready at the chain's start (untimed); each frame is parsed and applied
 * with the venue's sequence checks, exactly as the adapter does. Throws if the chain ever breaks.
 */
function chainBench(chain, fresh, step, n, gz) {
  const L = chain.length;
  const setup = (count) => Array.from({ length: Math.ceil(count / L) }, fresh);
  const work = (count, syncs) => {
    for (let i = 0; i < count; i++) {
      const s = syncs[(i / L) | 0];
      step(s, chain[i % L]);
      sink += (s.book.bestBid() + s.book.bestAsk()) & 1;
    }
    for (const s of syncs) if (s.state !== 'synced' || s.counters.gaps !== 0) throw new Error('bench chain broke');
  };
  return againstFloor(floorOf(chain, gz), work, n, setup);
}

const expect = (e, kind) => {
  if (e.kind !== kind) throw new Error(`bench frame parsed as ${e.kind}, wanted ${kind}: ${JSON.stringify(e).slice(0, 200)}`);
  return e;
};

/** Runs every venue's trade and depth paths; `report(name, ns, floorNs, unit)` adds table rows. */
export async function benchVenues(report) {
  // --- Bybit ---------------------------------------------------------------------------------
  {
    const { trades, snapshot, deltas } = bybitFrames();
    const p = new BybitParser('perp', [['BTCUSD', 'BTCUSD'], ['LTCUSDT', 'LTCUSDT'], ['XRPUSDT', 'XRPUSDT']]);
    const t = againstFloor(floorOf(trades, false), (n) => {
      for (let i = 0; i < n; i++) sink += expect(p.parse(trades[i % trades.length], 1), 'trades').trades.length;
    }, 40_000);
    report('Bybit: JSON.parse floor (publicTrade frames)', t.floor, t.floor, 'frames');
    report('Bybit: trade normalization (frame → Trades)', t.work, t.floor, 'frames');
    const noop = { book: () => sink++, quality: () => sink--, resubscribe: () => { throw new Error('bybit bench gap'); } };
    const d = chainBench(deltas, () => {
      const s = new BybitBookSync('perp', 'XRPUSDT', noop);
      s.onMessage(expect(p.parse(snapshot, 1), 'book').book);
      return s;
    }, (s, f) => s.onMessage(expect(p.parse(f, 1), 'book').book), 4_000, false);
    report(`Bybit: JSON.parse floor (orderbook.500 deltas, ${deltas.length} real)`, d.floor, d.floor, 'frames');
    report('Bybit: depth frame → validated book → best bid/ask', d.work, d.floor, 'frames');
  }

  // --- BingX (gzip) --------------------------------------------------------------------------
  {
    const { trade, all, updates } = await bingxFrames();
    const p = new BingxParser('perp', [{ symbol: 'ETHUSDT', native: 'ETH-USDT' }, { symbol: 'BTCUSDT', native: 'BTC-USDT' }]);
    const tradeFrames = [trade];
    const t = againstFloor(floorOf(tradeFrames, true), (n) => {
      for (let i = 0; i < n; i++) sink += expect(p.parse(trade, 1), 'trades').trades.length;
    }, 2_000);
    report('BingX: gunzip + JSON.parse floor (real trade frame, 23 trades)', t.floor, t.floor, 'frames');
    report('BingX: trade normalization (frame → Trades)', t.work, t.floor, 'frames');
    const noop = { book: () => sink++, quality: () => sink--, resubscribe: () => { throw new Error('bingx bench gap'); } };
    const d = chainBench(updates, () => {
      const s = new BingxBookSync('BTCUSDT', 'perp', noop);
      s.onDepth(expect(p.parse(all, 1), 'depth').depth);
      return s;
    }, (s, f) => s.onDepth(expect(p.parse(f, 1), 'depth').depth), updates.length, true);
    report(`BingX: gunzip + JSON.parse floor (incrDepth updates, simulator)`, d.floor, d.floor, 'frames');
    report('BingX: depth frame → validated book → best bid/ask', d.work, d.floor, 'frames');
  }

  // --- HTX (gzip) ----------------------------------------------------------------------------
  {
    const { trades, tradeSymbols, mbp, refresh } = htxFrames();
    const tp = new HtxParser(tradeSymbols);
    const t = againstFloor(floorOf(trades, true), (n) => {
      for (let i = 0; i < n; i++) sink += expect(tp.parse(trades[i % trades.length], 1), 'trades').trades.length;
    }, 4_000);
    report(`HTX: gunzip + JSON.parse floor (trade.detail, ${trades.length} real)`, t.floor, t.floor, 'frames');
    report('HTX: trade normalization (frame → Trades)', t.work, t.floor, 'frames');
    const p = new HtxParser(['BTCUSDT']);
    const [first, ...chain] = mbp;
    const noop = { book: () => sink++, quality: () => sink--, requestRefresh: () => {} };
    const d = chainBench(chain, () => {
      const s = new HtxBookSync({ symbol: 'BTCUSDT' }, noop);
      s.onIncremental(expect(p.parse(first, 1), 'mbp').update);
      s.onRefresh(refresh, 1);
      return s;
    }, (s, f) => s.onIncremental(expect(p.parse(f, 1), 'mbp').update), chain.length, true);
    report('HTX: gunzip + JSON.parse floor (mbp.150 real, chained)', d.floor, d.floor, 'frames');
    report('HTX: depth frame → validated book → best bid/ask', d.work, d.floor, 'frames');
  }
  return sink;
}
