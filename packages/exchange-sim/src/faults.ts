/**
 * Fault injection on depth events. A fault waits for the next depth event of its market (and symbol, if
 * given) that someone is subscribed to, then acts on it. Queued faults apply to successive events.
 * `drop-trade` instead waits for the next trade message (aggTrade) and drops it.
 */
import type { Market } from './symbol-spec.js';

export type FaultKind = 'drop' | 'duplicate' | 'reorder' | 'disconnect' | 'stall' | 'malformed';
/** Faults on trade messages (the venue's trade ids then show the gap). */
export type TradeFaultKind = 'drop-trade';

export interface Fault {
  kind: FaultKind | TradeFaultKind;
  market: Market;
  symbol?: string;
  /** stall: how long to hold all frames of the market (default 1000 ms). */
  durationMs?: number;
}

export interface AppliedFault {
  kind: FaultKind | TradeFaultKind;
  market: Market;
  symbol: string;
  /** The depth stream(s) the event belonged to. */
  streams: string[];
  /** Update-id range of the event acted on (reorder: the held event; its successor is in `detail`; drop-trade: the trade id). */
  U: number;
  u: number;
  /** Exchange time when applied. */
  at: number;
  detail?: string;
}

export interface DepthEmission {
  market: Market;
  symbol: string;
  /** Key of the event's stream group (symbol + cadence): reorder swaps within one group. */
  group: string;
  streams: string[];
  U: number;
  u: number;
  now: number;
  /** Deliver the event; `mangle` rewrites the frame text (malformed). */
  deliver(mangle?: (text: string) => string): void;
}

export interface FaultControls {
  disconnectAll(market: Market): void;
  stall(market: Market, ms: number): void;
}

/** Truncated JSON: half the frame, never valid. */
export const truncateFrame = (text: string): string =>
  text.slice(0, Math.max(1, Math.floor(text.length / 2)));

export class FaultInjector {
  private readonly queue: Fault[] = [];
  private readonly held = new Map<string, DepthEmission>();
  readonly applied: AppliedFault[] = [];

  constructor(private readonly controls: FaultControls) {}

  add(f: Fault): void {
    this.queue.push({ ...f, ...(f.symbol ? { symbol: f.symbol.toUpperCase() } : {}) });
  }

  pending(): readonly Fault[] {
    return this.queue;
  }

  /** Route one depth event through the pending faults. */
  emit(ev: DepthEmission): void {
    const held = this.held.get(ev.group);
    if (held) {
      // Second half of a reorder: the newer event goes out first, then the held one.
      this.held.delete(ev.group);
      ev.deliver();
      held.deliver();
      const rec = this.applied.find(
        (a) => a.kind === 'reorder' && a.U === held.U && a.symbol === held.symbol && a.detail === undefined,
      );
      if (rec) rec.detail = `sent U=${ev.U} u=${ev.u} before it`;
      return;
    }
    const i = this.queue.findIndex((f) => f.kind !== 'drop-trade' && f.market === ev.market && (!f.symbol || f.symbol === ev.symbol));
    if (i < 0) return ev.deliver();
    const f = this.queue.splice(i, 1)[0]!;
    const rec: AppliedFault = {
      kind: f.kind,
      market: ev.market,
      symbol: ev.symbol,
      streams: ev.streams,
      U: ev.U,
      u: ev.u,
      at: ev.now,
    };
    this.applied.push(rec);
    switch (f.kind) {
      case 'drop':
        return;
      case 'duplicate':
        ev.deliver();
        ev.deliver();
        return;
      case 'reorder':
        this.held.set(ev.group, ev);
        return;
      case 'disconnect':
        this.controls.disconnectAll(ev.market);
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
      case 'drop-trade':
        return; // never queued for depth events (filtered above)
    }
  }

  /** True when a pending `drop-trade` fault takes this trade message (it is then not sent). */
  dropTrade(market: Market, symbol: string, tradeId: number, now: number): boolean {
    const i = this.queue.findIndex((f) => f.kind === 'drop-trade' && f.market === market && (!f.symbol || f.symbol === symbol));
    if (i < 0) return false;
    this.queue.splice(i, 1);
    this.applied.push({ kind: 'drop-trade', market, symbol, streams: [], U: tradeId, u: tradeId, at: now, detail: `trade ${tradeId} not sent` });
    return true;
  }
}
