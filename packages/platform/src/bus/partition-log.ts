/** One stored message of the in-memory bus. */
export interface LogEntry {
  offset: number;
  key: string;
  value: unknown;
  headers: Record<string, string>;
}

/**
 * Append-only log of one partition with a movable start (retention). Offsets are dense and never
 * reused; trimming moves a head index and compacts now and then, so both ends are O(1) amortized.
 */
export class PartitionLog {
  private entries: LogEntry[] = [];
  private head = 0;
  /** Offset of the oldest retained entry. */
  private startOffset = 0;

  get start(): number {
    return this.startOffset;
  }

  /** Offset the next appended entry gets. */
  get end(): number {
    return this.startOffset + this.entries.length - this.head;
  }

  get size(): number {
    return this.entries.length - this.head;
  }

  append(key: string, value: unknown, headers: Record<string, string>): LogEntry {
    const entry = { offset: this.end, key, value, headers };
    this.entries.push(entry);
    return entry;
  }

  /** Up to `max` entries from `from` (clamped to the retained range). */
  read(from: number, max: number): LogEntry[] {
    const first = Math.max(from, this.startOffset) - this.startOffset + this.head;
    return this.entries.slice(first, Math.min(this.entries.length, first + max));
  }

  /** Drops entries below `offset`. */
  trimTo(offset: number): void {
    const drop = Math.min(this.size, Math.max(0, offset - this.startOffset));
    if (drop === 0) return;
    this.head += drop;
    this.startOffset += drop;
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
