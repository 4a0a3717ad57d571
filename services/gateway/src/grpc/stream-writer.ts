import type { ServerWritableStream } from '@grpc/grpc-js';

export interface StreamWriterOptions<T> {
  /** Updates that may wait while the client is not reading; past that the oldest is dropped. */
  maxPending: number;
  /** Updates with the same key supersede each other while waiting (a candle's versions: its open time). */
  pendingKey: (update: T) => string | number;
  sent: () => void;
  dropped: () => void;
}

/** What shutdown needs of an open stream. */
export interface OpenStream {
  end(status?: { code: number; details: string }): void;
}

/**
 * Writes updates to one server stream (WatchCandles, WatchFeatures) without unbounded memory.
 *
 * Slow-client policy: drop, never cancel. When `call.write` returns false (the client is not
 * draining its buffer) the stream is "blocked": further updates wait in a map by `pendingKey`, so a
 * newer version of an update replaces the older one (the older is dropped and counted). At most
 * `maxPending` updates wait; past that the oldest is dropped and counted. On 'drain' the waiting
 * updates are written in arrival order. A slow client therefore skips intermediate versions and the
 * oldest updates, but still ends up with the latest state of every recent one.
 */
export class StreamWriter<T> implements OpenStream {
  private readonly pending = new Map<string | number, T>();
  private blocked = false;
  /** Updates dropped on this stream. */
  dropped = 0;

  constructor(
    private readonly call: ServerWritableStream<unknown, T>,
    private readonly options: StreamWriterOptions<T>,
  ) {}

  get writable(): boolean {
    const c = this.call;
    return !c.cancelled && !c.destroyed && !c.writableEnded;
  }

  push(update: T): void {
    if (!this.writable) return;
    if (!this.blocked) {
      this.write(update);
      return;
    }
    const key = this.options.pendingKey(update);
    if (this.pending.delete(key)) {
      this.drop();
    } else if (this.pending.size >= this.options.maxPending) {
      const oldest = this.pending.keys().next();
      if (!oldest.done) this.pending.delete(oldest.value);
      this.drop();
    }
    this.pending.set(key, update);
  }

  /** Ends the stream with a status (OK when omitted); waiting updates are discarded. */
  end(status?: { code: number; details: string }): void {
    this.pending.clear();
    if (!this.writable) return;
    if (status) this.call.emit('error', status);
    else this.call.end();
  }

  private write(update: T): void {
    this.options.sent();
    if (this.call.write(update)) return;
    this.blocked = true;
    this.call.once('drain', this.flush);
  }

  private readonly flush = (): void => {
    this.blocked = false;
    for (const [key, update] of this.pending) {
      this.pending.delete(key);
      if (!this.writable) break;
      this.write(update);
      if (this.blocked) return;
    }
  };

  private drop(): void {
    this.dropped++;
    this.options.dropped();
  }
}
