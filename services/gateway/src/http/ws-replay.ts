import { updateMessage, type UpdateType } from './ws-protocol.js';

/** What a client resuming after `since` gets: the missed messages, or the range that cannot be replayed. */
export type Resume = { kind: 'replay'; messages: string[] } | { kind: 'gap'; from: number; to: number };

/**
 * The numbered history of one channel as this process saw it: the current sequence number, the last
 * `capacity` update messages (a ring), and the latest data of each update type (the snapshot a new
 * subscriber starts from). Numbers are assigned once for all gateway processes (see ws-channel-publisher.ts)
 * and only grow; a number skipped on the way (a stretch this process did not see) means no resume can span it.
 */
export class ChannelLog {
  private current = 0;
  private readonly ring: (string | undefined)[];
  /** Seq of the oldest message still in the ring (ring is empty when it exceeds `current`). */
  private oldest = 1;
  /** Latest encoded data per update type, in the order they were last updated. */
  private readonly latest = new Map<UpdateType, string>();

  constructor(
    readonly channel: string,
    private readonly capacity: number,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity <= 0) throw new Error(`replay capacity must be a positive integer, got ${capacity}`);
    this.ring = new Array<string | undefined>(capacity);
  }

  get seq(): number {
    return this.current;
  }

  /**
   * Keeps update number `seq` (by default the next one) and returns the message to send; undefined for a
   * number already passed (a repeat), which must not be sent again.
   */
  record(type: UpdateType, data: string, seq = this.current + 1): string | undefined {
    if (seq <= this.current) return undefined;
    // Numbers between were not seen here: the ring restarts at this one.
    if (seq > this.current + 1) this.oldest = seq;
    this.current = seq;
    const text = updateMessage(type, this.channel, seq, data);
    this.ring[seq % this.capacity] = text;
    if (seq - this.oldest >= this.capacity) this.oldest = seq - this.capacity + 1;
    this.latest.delete(type);
    this.latest.set(type, data);
    return text;
  }

  /**
   * Takes the latest update of a type from elsewhere (the shared cache) without its history: when it is
   * newer than anything seen, the numbers jump to it and nothing before it can be replayed.
   */
  seed(type: UpdateType, data: string, seq: number): void {
    if (seq > this.current) {
      this.current = seq;
      this.oldest = seq + 1;
    }
    if (!this.latest.has(type)) this.latest.set(type, data);
  }

  /** Every message after `since` in order when the ring still holds them all, else the missed range. */
  resume(since: number): Resume {
    if (since === this.current) return { kind: 'replay', messages: [] };
    // Ahead of this channel: the number comes from another numbering (epoch).
    if (since > this.current) return { kind: 'gap', from: 1, to: this.current };
    if (since + 1 < this.oldest) return { kind: 'gap', from: since + 1, to: this.current };
    const messages: string[] = [];
    for (let seq = since + 1; seq <= this.current; seq++) messages.push(this.ring[seq % this.capacity] as string);
    return { kind: 'replay', messages };
  }

  /** The latest data of each type, as snapshot messages numbered with the current seq. */
  snapshots(): string[] {
    return [...this.latest].map(([type, data]) => updateMessage(type, this.channel, this.current, data, true));
  }

  /**
   * The process stops watching the channel: what happens next is unseen, so the history and snapshot go.
   * The number stays: the next update seen (or seeded) tells whether anything was missed meanwhile.
   */
  forget(): void {
    this.oldest = this.current + 1;
    this.ring.fill(undefined);
    this.latest.clear();
  }
}
