// The outside world of the e2e bench, in a process of its own: the four venues' simulators (ticked here,
// one exchange millisecond per tick, so a trade's exchangeTs names the tick that sent its frame) and the
// browser-protocol client on the trades channel of every instrument. Send and receive times are both
// taken here (process.hrtime), so the figure is frame out → WebSocket message in, with the app's process
// (the one-process mode) doing nothing but its work. Driven by e2e-latency.mjs over IPC.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { BinanceSimulator, BingxSim, BybitSim, HtxSim } from '@pricelevel/exchange-sim';

const { symbols, tickMs, tradesPerSecond } = JSON.parse(process.env.PL_E2E_VENUES);
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const venueNow = { binance: 0, bybit: 0, bingx: 0, htx: 0 };
/** venue → exchange ms of a tick → [hrtime ms, wall ms] when its frames were sent */
const tickSentAt = { binance: new Map(), bybit: new Map(), bingx: new Map(), htx: new Map() };
const clockOf = (venue) => ({ now: () => venueNow[venue] || Date.now() });
const common = { symbols, tickMs, tradesPerSecond, autoTick: false };
const sims = {
  binance: await BinanceSimulator.start({ ...common, seed: 7, clock: clockOf('binance') }),
  bybit: await BybitSim.start({ ...common, seed: 8, clock: clockOf('bybit') }),
  bingx: await BingxSim.start({ ...common, seed: 9, clock: clockOf('bingx') }),
  htx: await HtxSim.start({ ...common, seed: 10, clock: clockOf('htx') }),
};
// Binance and HTX count frames at the top of their stats, Bybit and BingX under `ws`.
const framesSent = () => Object.values(sims).reduce((n, s) => n + (s.stats().framesSent ?? s.stats().ws.framesSent), 0);

function tickAll() {
  for (const [venue, sim] of Object.entries(sims)) {
    venueNow[venue] = Math.max(Date.now(), venueNow[venue] + 1);
    const sentAt = [nowMs(), Date.now()];
    sim.tick();
    tickSentAt[venue].set(venueNow[venue], sentAt);
  }
}

let window = [Infinity, Infinity];
const inWindow = (t) => t !== undefined && t >= window[0] && t <= window[1];
const frameToWs = [];
const frameToCollector = [];
let messages = 0;
let unmatched = 0;
let ws;
let ticker;
let frames0 = 0;

async function follow(url, channels) {
  ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let acks = 0;
  await new Promise((resolve) => {
    ws.on('message', (data) => {
      const at = nowMs();
      const msg = JSON.parse(String(data));
      if (msg.type === 'subscribed' && ++acks === channels.length) resolve();
      if (msg.type !== 'trade' || msg.snapshot) return;
      messages++;
      const sent = tickSentAt[msg.data.exchange]?.get(msg.data.exchangeTs);
      if (sent === undefined) return void unmatched++;
      if (!inWindow(sent[0])) return;
      frameToWs.push(at - sent[0]);
      // The collector stamps receipt in wall-clock ms: the venue → collector leg at ms resolution.
      frameToCollector.push(msg.data.receivedTs - sent[1]);
    });
    for (const channel of channels) ws.send(JSON.stringify({ op: 'subscribe', channel }));
  });
}

process.on('message', async (m) => {
  if (m.op === 'follow') {
    await follow(m.url, m.channels);
    ticker = setInterval(tickAll, tickMs);
    process.send({ op: 'following' });
  } else if (m.op === 'measure') {
    frames0 = framesSent();
    window = [nowMs(), nowMs() + m.ms];
    process.send({ op: 'measuring' });
  } else if (m.op === 'report') {
    const seconds = (Math.min(nowMs(), window[1]) - window[0]) / 1000;
    const frames = framesSent() - frames0;
    clearInterval(ticker);
    // Let what was sent in the window arrive.
    await new Promise((r) => setTimeout(r, 1000));
    process.send({ op: 'report', framesPerSecond: frames / seconds, frameToWs, frameToCollector, messages, unmatched, loopDelayP99Ms: loop.percentile(99) / 1e6 });
  } else if (m.op === 'close') {
    ws?.terminate();
    await Promise.all(Object.values(sims).map((s) => s.close()));
    process.exit(0);
  }
});

const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
process.send({
  op: 'ready',
  urls: {
    BINANCE_SPOT_WS_URL: sims.binance.urls.spotWs, BINANCE_SPOT_REST_URL: sims.binance.urls.spotRest,
    BINANCE_PERP_WS_URL: sims.binance.urls.perpWs, BINANCE_PERP_REST_URL: sims.binance.urls.perpRest,
    BYBIT_SPOT_WS_URL: sims.bybit.urls.spotWs, BYBIT_PERP_WS_URL: sims.bybit.urls.linearWs, BYBIT_REST_URL: sims.bybit.urls.rest,
    BINGX_PERP_WS_URL: sims.bingx.urls.perpWs, BINGX_PERP_REST_URL: sims.bingx.urls.perpRest,
    HTX_WS_URL: sims.htx.urls.spotWs, HTX_REST_URL: sims.htx.urls.spotRest,
  },
});
