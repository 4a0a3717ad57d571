/**
 * HTX fault switches. Book faults wait for the next MBP incremental of their symbol (or any symbol)
 * that someone is subscribed to and act on it; venue-wide faults (disconnect, stall, missed-pong) fire
 * at that moment too. Queued faults apply to successive incrementals.
 */
import type { FaultKind, TradeFaultKind } from '../faults.js';

/** `drop-trade` waits for the next `trade.detail` push of its symbol instead, and drops it. */
export type HtxFaultKind = FaultKind | TradeFaultKind | 'gap' | 'corrupt-gzip' | 'missed-pong';

export const HTX_FAULT_KINDS: readonly HtxFaultKind[] = ['drop', 'duplicate', 'reorder', 'disconnect', 'stall', 'malformed', 'gap', 'corrupt-gzip', 'missed-pong', 'drop-trade'];

export interface HtxFault {
  kind: HtxFaultKind;
  market: 'spot';
  symbol?: string;
  /** stall: how long every frame is held (default 1000 ms). */
  durationMs?: number;
}

export interface HtxAppliedFault {
  kind: HtxFaultKind;
  market: 'spot';
  symbol: string;
  topic: string;
  /** Sequence of the incremental acted on (gap: as sent, with the broken prevSeqNum; drop-trade: first and last tradeId). */
  seqNum: number;
  prevSeqNum: number;
  at: number;
  detail?: string;
}

export class HtxFaultQueue {
  private readonly queue: HtxFault[] = [];
  readonly applied: HtxAppliedFault[] = [];

  add(f: HtxFault): void {
    if (!HTX_FAULT_KINDS.includes(f.kind)) throw new Error(`unknown fault kind ${String(f.kind)}`);
    this.queue.push({ ...f, ...(f.symbol ? { symbol: f.symbol.toUpperCase() } : {}) });
  }

  /** Removes and returns the first pending fault for `symbol`, if any. */
  take(symbol: string): HtxFault | undefined {
    const i = this.queue.findIndex((f) => f.kind !== 'drop-trade' && (!f.symbol || f.symbol === symbol));
    return i < 0 ? undefined : this.queue.splice(i, 1)[0];
  }

  /** Removes a pending `drop-trade` fault for `symbol`; true when there was one. */
  takeTradeDrop(symbol: string): boolean {
    const i = this.queue.findIndex((f) => f.kind === 'drop-trade' && (!f.symbol || f.symbol === symbol));
    if (i < 0) return false;
    this.queue.splice(i, 1);
    return true;
  }

  pending(): readonly HtxFault[] {
    return this.queue;
  }
}

/** Bytes that start like gzip but cannot be inflated (deflate block type 3 is invalid). */
export function corruptGzip(valid: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.max(valid.length, 24));
  out.set(valid.subarray(0, 10));
  out.fill(0xff, 10);
  return out;
}
