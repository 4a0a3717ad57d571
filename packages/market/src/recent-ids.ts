/**
 * The last `capacity` ids seen, for dropping redelivered trades: the bus is at-least-once, and a trade
 * folded twice would double-count a candle. Bounded memory: the oldest id is forgotten first.
 */
export class RecentIds {
  private readonly seen = new Set<string>();
  private readonly ring: (string | undefined)[];
  private next = 0;

  constructor(private readonly capacity: number) {
    this.ring = new Array<string | undefined>(capacity);
  }

  /** True the first time an id is offered (within the window), false for a repeat. */
  add(id: string): boolean {
    if (this.seen.has(id)) return false;
    const old = this.ring[this.next];
    if (old !== undefined) this.seen.delete(old);
    this.ring[this.next] = id;
    this.next = (this.next + 1) % this.capacity;
    this.seen.add(id);
    return true;
  }
}
