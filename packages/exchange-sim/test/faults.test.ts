import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BinanceSimulator } from '../src/index.js';
import { TestClock, connect, type Collector } from './helpers.js';

describe('faults act on the next depth event', () => {
  let sim: BinanceSimulator;
  let c: Collector;
  const clock = new TestClock();
  const advance = (n: number) => {
    for (let i = 0; i < n; i++) {
      clock.t += 100;
      sim.tick();
    }
  };
  const btc = () => c.msgs.filter((m) => m?.data?.s === 'BTCUSDT').map((m) => m.data);
  const lastU = () => sim.book('spot', 'BTCUSDT').lastUpdateId;
  const settle = () => c.waitFor(() => btc().some((e) => e.u === lastU()));
  /** Indices i where event i does not continue event i-1. */
  const breaks = (evs: { U: number; u: number }[]) =>
    evs.flatMap((e, i) => (i > 0 && e.U !== evs[i - 1]!.u + 1 ? [i] : []));

  beforeEach(async () => {
    sim = await BinanceSimulator.start({ seed: 21, symbols: ['BTCUSDT', 'ETHUSDT'], autoTick: false, clock });
    c = await connect(`${sim.urls.spotWs}/stream?streams=btcusdt@depth@100ms/ethusdt@depth@100ms`);
    advance(3);
    await settle();
  });
  afterEach(async () => {
    c.ws.close();
    await sim.close();
  });

  it('drop: exactly the logged event is missing', async () => {
    sim.fault({ kind: 'drop', market: 'spot', symbol: 'BTCUSDT' });
    advance(5);
    await settle();
    const evs = btc();
    const [applied] = sim.faultsApplied();
    expect(applied).toMatchObject({ kind: 'drop', market: 'spot', symbol: 'BTCUSDT' });
    expect(evs.find((e) => e.U === applied!.U)).toBeUndefined();
    const gap = breaks(evs);
    expect(gap).toHaveLength(1);
    expect(evs[gap[0]! - 1]!.u + 1).toBe(applied!.U);
    expect(evs[gap[0]!]!.U).toBe(applied!.u + 1);
    // Other symbols are untouched.
    expect(breaks(c.msgs.filter((m) => m?.data?.s === 'ETHUSDT').map((m) => m.data))).toEqual([]);
  });

  it('duplicate: the event arrives twice in a row', async () => {
    sim.fault({ kind: 'duplicate', market: 'spot', symbol: 'BTCUSDT' });
    advance(4);
    await settle();
    const evs = btc();
    const U = sim.faultsApplied()[0]!.U;
    const idx = evs.findIndex((e) => e.U === U);
    expect(evs[idx + 1]).toEqual(evs[idx]);
    expect(evs.filter((e) => e.U === U)).toHaveLength(2);
  });

  it('reorder: two consecutive events are swapped', async () => {
    sim.fault({ kind: 'reorder', market: 'spot', symbol: 'BTCUSDT' });
    advance(4);
    await settle();
    const evs = btc();
    const held = sim.faultsApplied()[0]!;
    const idx = evs.findIndex((e) => e.U === held.U);
    expect(idx).toBeGreaterThan(0);
    expect(evs[idx - 1]!.U).toBe(held.u + 1); // the successor came first
    const fixed = [...evs];
    [fixed[idx - 1], fixed[idx]] = [fixed[idx]!, fixed[idx - 1]!];
    expect(breaks(fixed)).toEqual([]);
    expect(held.detail).toMatch(/before it/);
  });

  it('malformed: one truncated JSON frame in place of the event', async () => {
    sim.fault({ kind: 'malformed', market: 'spot' });
    advance(4);
    await settle();
    const bad = c.raw.filter((_, i) => c.msgs[i] === undefined);
    expect(bad).toHaveLength(1);
    expect(() => JSON.parse(bad[0]!)).toThrow();
    expect(bad[0]!.startsWith('{"stream":"')).toBe(true);
    expect(sim.faultsApplied()[0]!.kind).toBe('malformed');
  });

  it('disconnect: every client of the market is dropped; reconnecting works', async () => {
    const perp = await connect(`${sim.urls.perpWs}/ws/btcusdt@depth@100ms`);
    sim.fault({ kind: 'disconnect', market: 'spot' });
    advance(1);
    expect(await c.closed).toBe(1006);
    expect(perp.ws.readyState).toBe(perp.ws.OPEN);
    const again = await connect(`${sim.urls.spotWs}/ws/btcusdt@depth@100ms`);
    advance(2);
    await again.waitFor((m) => m.length >= 1);
    again.ws.close();
    perp.ws.close();
  });

  it('stall: frames are held for durationMs, then delivered in order', async () => {
    const before = c.msgs.length;
    sim.fault({ kind: 'stall', market: 'spot', durationMs: 1500 });
    advance(3);
    await new Promise((r) => setTimeout(r, 200));
    expect(c.msgs.length).toBe(before);
    expect(sim.stats().markets.spot!.framesBufferedByStall).toBeGreaterThan(0);
    await c.waitFor(() => btc().some((e) => e.u === lastU()), 5000);
    expect(breaks(btc())).toEqual([]);
  });

  it('faults are scoped to their market and queue for successive events', async () => {
    sim.fault({ kind: 'drop', market: 'perp' });
    sim.fault({ kind: 'drop', market: 'spot', symbol: 'BTCUSDT' });
    sim.fault({ kind: 'duplicate', market: 'spot', symbol: 'BTCUSDT' });
    advance(4);
    await settle();
    const log = sim.faultsApplied();
    expect(log.map((f) => f.kind)).toEqual(['drop', 'duplicate']);
    expect(log[1]!.U).toBe(log[0]!.u + 1);
    expect(() => sim.fault({ kind: 'drop', market: 'spot', symbol: 'NOPE' })).toThrow(/unknown symbol/);
  });
});
