/**
 * Fault injection for the Bybit simulator. A fault waits for the next orderbook delta of its market
 * (and symbol, if given) that someone is subscribed to, then acts on it. Besides the generic faults,
 * Bybit's own: `reset` (the service restarted: a `u=1` snapshot mid-stream), `resnapshot` (a snapshot
 * re-sent mid-stream "if there is a problem on Bybit's end") and `missed-pong` (client pings on the
 * market's open connections are no longer answered).
 */
import { truncateFrame, type FaultKind } from '../faults.js';
import type { Market } from '../symbol-spec.js';

export type BybitFaultKind = FaultKind | 'reset' | 'resnapshot' | 'missed-pong';
export const BYBIT_FAULT_KINDS: readonly BybitFaultKind[] = ['drop', 'duplicate', 'reorder', 'disconnect', 'stall', 'malformed', 'reset', 'resnapshot', 'missed-pong'];

export interface BybitFault {
  kind: BybitFaultKind;
  market: Market;
  symbol?: string;
  /** stall: how long frames are held (default 1000 ms). */
  durationMs?: number;
}

export interface BybitAppliedFault {
  kind: BybitFaultKind;
  market: Market;
  symbol: string;
  /** The orderbook topic whose delta triggered it, and that delta's u. */
  topic: string;
  u: number;
  at: number;
  detail?: string;
}

export interface BookEmission {
  market: Market;
  symbol: string;
  topic: string;
  u: number;
  now: number;
  deliver(mangle?: (text: string) => string): void;
}

export interface BybitFaultControls {
  disconnect(market: Market): void;
  stall(market: Market, ms: number): void;
  mutePongs(market: Market): void;
  /** Send every subscribed orderbook topic of the symbol a fresh snapshot; `restart` resets u to 1. */
  resnapshot(market: Market, symbol: string, restart: boolean): void;
}

export class BybitFaultInjector {
  private readonly queue: BybitFault[] = [];
  private readonly held = new Map<string, BookEmission>();
  readonly applied: BybitAppliedFault[] = [];

  constructor(private readonly controls: BybitFaultControls) {}

  add(f: BybitFault): void {
    if (!BYBIT_FAULT_KINDS.includes(f.kind)) throw new Error(`unknown fault kind ${String(f.kind)}`);
    this.queue.push({ ...f, ...(f.symbol ? { symbol: f.symbol.toUpperCase() } : {}) });
  }

  emit(ev: BookEmission): void {
    const held = this.held.get(ev.topic);
    if (held) {
      // Second half of a reorder: the newer delta goes out first, then the held one.
      this.held.delete(ev.topic);
      ev.deliver();
      held.deliver();
      const rec = this.applied.find((a) => a.kind === 'reorder' && a.topic === held.topic && a.u === held.u && !a.detail);
      if (rec) rec.detail = `sent u=${ev.u} before it`;
      return;
    }
    const i = this.queue.findIndex((f) => f.market === ev.market && (!f.symbol || f.symbol === ev.symbol));
    if (i < 0) return ev.deliver();
    const f = this.queue.splice(i, 1)[0]!;
    const rec: BybitAppliedFault = { kind: f.kind, market: ev.market, symbol: ev.symbol, topic: ev.topic, u: ev.u, at: ev.now };
    this.applied.push(rec);
    switch (f.kind) {
      case 'drop':
        return;
      case 'duplicate':
        ev.deliver();
        ev.deliver();
        return;
      case 'reorder':
        this.held.set(ev.topic, ev);
        return;
      case 'disconnect':
        this.controls.disconnect(ev.market);
        return;
      case 'stall': {
        const ms = f.durationMs ?? 1000;
        rec.detail = `held ${ms} ms`;
        this.controls.stall(ev.market, ms);
        ev.deliver();
        return;
      }
      case 'malformed':
        ev.deliver(truncateFrame);
        return;
      case 'reset':
      case 'resnapshot':
        ev.deliver();
        this.controls.resnapshot(ev.market, ev.symbol, f.kind === 'reset');
        return;
      case 'missed-pong':
        ev.deliver();
        this.controls.mutePongs(ev.market);
        return;
    }
  }
}
