#!/usr/bin/env node
// Example client of a running pricelevel gateway (`npm run demo`, or `npm start`):
// lists the instruments, prints the nearest support and resistance of one instrument, then follows
// its live 1m candles over the WebSocket for a while.
//
//   node examples/nearest-levels.mjs [--grpc 127.0.0.1:50051] [--ws ws://127.0.0.1:8080/ws] [--seconds 30]
//                                    [--symbol BTCUSDT] [--exchange binance] [--market spot] [--token …]
//
// Env: PRICELEVEL_GRPC, PRICELEVEL_WS, PRICELEVEL_TOKEN (the gateway's GATEWAY_TOKEN, when it has one).
// Build first (`npm run build`): @pricelevel/client is imported from its dist/.
import { parseArgs } from 'node:util';
import { channels, connect, PricelevelError, PricelevelSocket } from '@pricelevel/client';

const { values: args } = parseArgs({
  options: {
    grpc: { type: 'string', default: process.env.PRICELEVEL_GRPC ?? '127.0.0.1:50051' },
    ws: { type: 'string', default: process.env.PRICELEVEL_WS ?? 'ws://127.0.0.1:8080/ws' },
    token: { type: 'string', default: process.env.PRICELEVEL_TOKEN },
    seconds: { type: 'string', default: '30' },
    exchange: { type: 'string', default: 'binance' },
    market: { type: 'string', default: 'spot' },
    symbol: { type: 'string', default: 'BTCUSDT' },
  },
});
const instrument = { exchange: args.exchange, market: args.market, symbol: args.symbol };
const seconds = Number(args.seconds);

const client = connect({ address: args.grpc, token: args.token, defaultDeadlineMs: 5_000 });
try {
  const { instruments } = await client.marketData.listInstruments();
  console.log(`instruments (${instruments.length}) at ${args.grpc}:`);
  for (const i of instruments) {
    console.log(`  ${i.exchange} ${i.market} ${i.symbol}  intervals ${i.intervals.join(',') || '-'}  levels ${i.hasLevels ? 'yes' : 'not yet'}`);
  }

  try {
    const nearest = await client.levels.getNearestLevels({ ...instrument, count: 1 });
    const p = (x) => Number(x.toPrecision(7));
    const show = (label, l) => console.log(
      l ? `  ${label} ${p(l.price)}  zone ${p(l.zoneLow)}–${p(l.zoneHigh)}  score ${l.score.toFixed(2)}  timeframes ${l.timeframes.join(',')}` : `  ${label} none`,
    );
    console.log(`nearest levels of ${args.exchange}:${args.market}:${args.symbol} at ${nearest.price} (version ${nearest.version}):`);
    show('resistance', nearest.resistances[0]);
    show('support   ', nearest.supports[0]);
  } catch (err) {
    // NOT_FOUND: not collected, or the level detector has not published a set yet (it needs history first).
    if (!(err instanceof PricelevelError && err.code === 'NOT_FOUND')) throw err;
    console.log(`no levels: ${err.details}`);
  }
} finally {
  client.close();
}

const socket = new PricelevelSocket({ url: args.ws, token: args.token });
socket.on((e) => {
  if (e.type === 'reconnecting') console.log(`  (connection lost; reconnecting in ${e.delayMs} ms)`);
  if (e.type === 'error') console.error(`  (websocket: ${e.error.message})`);
});
const channel = channels.candles(args.exchange, args.market, args.symbol, '1m');
const stop = AbortSignal.timeout(seconds * 1000);
let updates = 0;
for await (const e of socket.updates(channel, { signal: stop })) {
  if (e.type === 'subscribed') console.log(`following ${e.channel} for ${seconds} s${e.resumed ? ' (resumed)' : ''}`);
  if (e.type === 'gap') console.log(`  (missed updates ${e.from}..${e.to})`);
  if (e.type === 'error') console.log(`  (refused: ${e.message})`);
  if (e.type !== 'candle') continue;
  const c = e.data;
  updates++;
  const time = new Date(c.openTime).toISOString().slice(11, 16);
  console.log(`  ${time}  O ${c.open} H ${c.high} L ${c.low} C ${c.close}  V ${c.volume}  ${c.final ? 'final' : 'open'}${e.snapshot ? ' (latest)' : ''}  #${e.seq}`);
}
await socket.close();
console.log(`done: ${updates} candle updates`);
