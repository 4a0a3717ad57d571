/**
 * BingX fault switches. Each waits for the next incrDepth update of its symbol (or of any symbol) that
 * someone is subscribed to, then acts: the shared kinds (drop, duplicate, reorder, disconnect, stall,
 * malformed JSON) plus the venue's own: a lastUpdateId gap (an id is skipped, the data still arrives),
 * a frame that is not valid gzip, and missed pongs (the server stops hearing `Pong` and drops clients).
 */
import type { FaultKind } from '../faults.js';
import type { Market } from '../symbol-spec.js';
import type { FrameMode } from './bingx-server.js';

export type BingxFaultKind = FaultKind | 'gap' | 'corrupt-gzip' | 'missed-pong';

export const BINGX_FAULT_KINDS: readonly BingxFaultKind[] = [
  'drop', 'duplicate', 'reorder', 'disconnect', 'stall', 'malformed', 'gap', 'corrupt-gzip', 'missed-pong',
];

export interface BingxFault {
  kind: BingxFaultKind;
  market: Market;
  /** Project (`BTCUSDT`) or native (`BTC-USDT`) name; absent = the next event of any symbol. */
  symbol?: string;
  /** stall: how long every frame is held (default 1000 ms). */
  durationMs?: number;
}

export interface BingxAppliedFault {
  kind: BingxFaultKind;
  market: Market;
  /** Project symbol (`BTCUSDT`). */
  symbol: string;
  dataType: string;
  /** lastUpdateId of the update acted on. */
  lastUpdateId: number;
  at: number;
  detail?: string;
}

export interface BingxDepthEmission {
  symbol: string;
  dataType: string;
  lastUpdateId: number;
  now: number;
  deliver(mode?: FrameMode): void;
}

export interface BingxFaultControls {
  disconnectAll(): void;
  stall(ms: number): void;
  missPongs(): void;
}

interface QueuedFault {
  kind: BingxFaultKind;
  symbol?: string;
  durationMs?: number;
}

export class BingxFaultInjector {
  private readonly queue: QueuedFault[] = [];
  private readonly held = new Map<string, BingxDepthEmission>();
  readonly applied: BingxAppliedFault[] = [];

  constructor(private readonly controls: BingxFaultControls) {}

  /** `symbol` already normalized to the project name. */
  add(f: QueuedFault): void {
    this.queue.push(f);
  }

  private indexFor(symbol: string): number {
    return this.queue.findIndex((f) => !f.symbol || f.symbol === symbol);
  }

  /** Called before an update's id is assigned: a pending gap fault for this symbol skips one id. */
  takeGap(symbol: string, now: number, dataType: string, skippedId: number): boolean {
    const i = this.indexFor(symbol);
    if (i < 0 || this.queue[i]!.kind !== 'gap') return false;
    this.queue.splice(i, 1);
    this.applied.push({ kind: 'gap', market: 'perp', symbol, dataType, lastUpdateId: skippedId + 1, at: now, detail: `lastUpdateId ${skippedId} never sent` });
    return true;
  }

  emit(ev: BingxDepthEmission): void {
    const held = this.held.get(ev.symbol);
    if (held) {
      // Second half of a reorder: the newer update first, then the held one.
      this.held.delete(ev.symbol);
      ev.deliver();
      held.deliver();
      const rec = this.applied.find((a) => a.kind === 'reorder' && a.symbol === held.symbol && a.lastUpdateId === held.lastUpdateId);
      if (rec) rec.detail = `sent lastUpdateId ${ev.lastUpdateId} before it`;
      return;
    }
    const i = this.indexFor(ev.symbol);
    if (i < 0) return ev.deliver();
    const f = this.queue.splice(i, 1)[0]!;
    const rec: BingxAppliedFault = { kind: f.kind, market: 'perp', symbol: ev.symbol, dataType: ev.dataType, lastUpdateId: ev.lastUpdateId, at: ev.now };
    this.applied.push(rec);
    switch (f.kind) {
      case 'drop':
        return;
      case 'duplicate':
        ev.deliver();
        ev.deliver();
        return;
      case 'reorder':
        this.held.set(ev.symbol, ev);
        return;
      case 'disconnect':
        this.controls.disconnectAll();
        return;
      case 'stall': {
        const ms = f.durationMs ?? 1000;
        rec.detail = `held ${ms} ms`;
        this.controls.stall(ms);
        ev.deliver();
        return;
      }
      case 'malformed':
        ev.deliver('malformed');
        return;
      case 'corrupt-gzip':
        ev.deliver('corrupt-gzip');
        return;
      case 'missed-pong':
        this.controls.missPongs();
        ev.deliver();
        return;
      case 'gap':
        // Only reachable when takeGap was not consulted (no id assignment): treat as a skipped id.
        ev.deliver();
        return;
    }
  }
}
