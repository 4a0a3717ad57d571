// A fleet of WebSocket clients in a child process of its own (forked by ws-load-scenario.mjs), so the
// gateway's event loop, CPU and memory are measured without the clients in them. Driven over IPC:
//   parent → {op:'start', port, plans:[{channels, slow}]}   child → {op:'ready', connectMs}
//   parent → {op:'slowClosed'}                              child → {op:'slowClosed'} (the slow ones' close codes read)
//   parent → {op:'finish', published, window}               child → {op:'result', …}; the parent then kills it
// Times are process.hrtime (CLOCK_MONOTONIC, the same clock in both processes), in ms.
import { WebSocket } from 'ws';

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const CONNECT_BATCH = 50;
const DRAIN_MS = 20_000;

/** One client: its channels' updates as they arrive, the problems seen, and how it closed. */
class FleetClient {
  constructor(port, plan) {
    this.port = port;
    this.plan = plan;
    this.pending = new Set(plan.channels);
    /** channel → { last seq, received [type, id, recvMs] } */
    this.channels = new Map(plan.channels.map((c) => [c, { seq: 0, got: [] }]));
    this.problems = [];
    this.closeCode = undefined;
  }

  async open() {
    this.ws = new WebSocket(`ws://127.0.0.1:${this.port}/ws`, { perMessageDeflate: false });
    this.closed = new Promise((resolve) => this.ws.on('close', (code) => resolve((this.closeCode = code))));
    await new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
    const acked = new Promise((resolve) => (this.onAcked = resolve));
    this.ws.on('message', (data) => this.onMessage(String(data)));
    for (const channel of this.plan.channels) this.ws.send(JSON.stringify({ op: 'subscribe', channel }));
    await acked;
    // Stops reading from the socket: the kernel buffers fill, then the gateway's.
    if (this.plan.slow) this.ws.pause();
  }

  onMessage(text) {
    const at = nowMs();
    const msg = JSON.parse(text);
    if (msg.type === 'subscribed') {
      if (msg.seq !== 0) this.problems.push(`${msg.channel}: subscribed at seq ${msg.seq}, expected 0`);
      this.pending.delete(msg.channel);
      if (this.pending.size === 0) this.onAcked();
      return;
    }
    const ch = this.channels.get(msg.channel);
    if (!ch || msg.seq === undefined) {
      this.problems.push(`unexpected message ${text.slice(0, 120)}`);
      return;
    }
    if (msg.seq !== ch.seq + 1) this.problems.push(`${msg.channel}: seq ${msg.seq} after ${ch.seq}`);
    ch.seq = msg.seq;
    ch.got.push(msg.type, identity(msg.type, msg.data), at);
  }
}

/** What makes an update unique within its channel and type (the publisher numbers them this way). */
function identity(type, data) {
  if (type === 'candle') return data.tradeCount;
  if (type === 'features') return data.ts;
  if (type === 'flow') return data.openTime;
  return data.version;
}

let clients = [];

/** Waits (at most DRAIN_MS) until every reading client holds as many updates as were published on its channels. */
async function drained(published) {
  const count = (channel) => Object.values(published[channel] ?? {}).reduce((n, byId) => n + Object.keys(byId).length, 0);
  const behind = () => clients.some((c) => !c.plan.slow && c.closeCode === undefined && [...c.channels].some(([ch, s]) => s.got.length / 3 < count(ch)));
  for (const start = nowMs(); behind() && nowMs() - start < DRAIN_MS; ) await new Promise((resolve) => setTimeout(resolve, 50));
}

/**
 * Checks every reading client against what was published (every update of each of its channels, in
 * seq order, none twice, none missing) and collects the delivery latency of updates published in `window`.
 */
function summarize(published, window) {
  const latencies = [];
  const failures = [];
  let delivered = 0;
  for (const [i, c] of clients.entries()) {
    if (c.plan.slow) continue;
    const problems = [...c.problems];
    if (c.closeCode !== undefined) problems.push(`closed with ${c.closeCode}`);
    for (const [channel, ch] of c.channels) {
      const expected = published[channel] ?? {};
      const want = Object.values(expected).reduce((n, byId) => n + Object.keys(byId).length, 0);
      const seen = new Set();
      for (let k = 0; k < ch.got.length; k += 3) {
        const type = ch.got[k];
        const id = ch.got[k + 1];
        const sentAt = expected[type]?.[id];
        if (sentAt === undefined) problems.push(`${channel}: ${type} ${id} was never published`);
        else if (seen.has(`${type} ${id}`)) problems.push(`${channel}: ${type} ${id} twice`);
        else {
          seen.add(`${type} ${id}`);
          if (sentAt >= window[0] && sentAt <= window[1]) latencies.push(ch.got[k + 2] - sentAt);
        }
      }
      delivered += ch.got.length / 3;
      if (seen.size !== want) problems.push(`${channel}: received ${seen.size} of ${want} updates`);
    }
    if (problems.length > 0) failures.push({ client: i, problems: problems.slice(0, 5) });
  }
  return {
    delivered,
    latencies,
    failures: failures.slice(0, 10),
    failedClients: failures.length,
    slowCloseCodes: clients.filter((c) => c.plan.slow).map((c) => c.closeCode ?? null),
  };
}

process.on('message', async (msg) => {
  if (process.env.PL_FLEET_DEBUG) console.error('fleet got', msg.op);
  if (msg.op === 'start') {
    const t0 = nowMs();
    clients = msg.plans.map((plan) => new FleetClient(msg.port, plan));
    for (let i = 0; i < clients.length; i += CONNECT_BATCH) await Promise.all(clients.slice(i, i + CONNECT_BATCH).map((c) => c.open()));
    process.send({ op: 'ready', connectMs: nowMs() - t0 });
  } else if (msg.op === 'slowClosed') {
    // The gateway has closed them: read the backlog, then the close frame with its code.
    for (const c of clients) if (c.plan.slow) c.ws.resume();
    await Promise.all(clients.filter((c) => c.plan.slow).map((c) => c.closed));
    process.send({ op: 'slowClosed' });
  } else if (msg.op === 'finish') {
    await drained(msg.published);
    // The parent reads the gateway's counters while the clients are still connected, then ends this process.
    process.send({ op: 'result', ...summarize(msg.published, msg.window) });
  }
});
