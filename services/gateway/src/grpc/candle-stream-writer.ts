import type { ServerWritableStream } from '@grpc/grpc-js';
import type { Candle, WatchCandlesRequest } from '@pricelevel/contracts';
import type { GatewayMetrics } from '../metrics.js';

/**
 * Writes candle updates to one WatchCandles stream without unbounded memory.
 *
 * Slow-client policy: drop, never cancel. When `call.write` returns false (the client is not
 * draining its buffer) the stream is "blocked": further updates wait in a map keyed by open time,
 * so a newer version of a candle replaces the older one (the older is dropped and counted). At most
 * `maxPending` candles wait; past that the oldest is dropped and counted. On 'drain' the waiting
 * candles are written in arrival order. A slow client therefore skips intermediate versions but
 * still ends up with the latest state of every recent candle.
 */
export class CandleStreamWriter {
  private readonly pending = new Map<number, Candle>();
  private blocked = false;
  /** Updates dropped on this stream. */
  dropped = 0;

  constructor(
    private readonly call: ServerWritableStream<WatchCandlesRequest, Candle>,
    private readonly maxPending: number,
    private readonly metrics: GatewayMetrics,
  ) {}

  get writable(): boolean {
    const c = this.call;
    return !c.cancelled && !c.destroyed && !c.writableEnded;
  }

  push(candle: Candle): void {
    if (!this.writable) return;
    if (!this.blocked) {
      this.write(candle);
      return;
    }
    if (this.pending.delete(candle.openTime)) {
      this.drop();
    } else if (this.pending.size >= this.maxPending) {
      const oldest = this.pending.keys().next();
      if (!oldest.done) this.pending.delete(oldest.value);
      this.drop();
    }
    this.pending.set(candle.openTime, candle);
  }

  /** Ends the stream with a status (OK when omitted); waiting updates are discarded. */
  end(status?: { code: number; details: string }): void {
    this.pending.clear();
    if (!this.writable) return;
    if (status) this.call.emit('error', status);
    else this.call.end();
  }

  private write(candle: Candle): void {
    this.metrics.grpcCandlesSent++;
    if (this.call.write(candle)) return;
    this.blocked = true;
    this.call.once('drain', this.flush);
  }

  private readonly flush = (): void => {
    this.blocked = false;
    for (const [openTime, candle] of this.pending) {
      this.pending.delete(openTime);
      if (!this.writable) break;
      this.write(candle);
      if (this.blocked) return;
    }
  };

  private drop(): void {
    this.dropped++;
    this.metrics.grpcCandlesDropped++;
  }
}
