/**
 * Group commit for store writes: rows handed in while a write is running wait for the next one, which
 * takes everything gathered meanwhile. Concurrent writers (a bus handler per partition) thus cost one
 * insert at a time instead of one each; embedded ClickHouse pays a large fixed cost per insert (a new
 * part, later merged). Each caller's promise settles with the write that carried its rows, so a failed
 * write rejects exactly the callers whose rows it held (their bus batches are delivered again).
 */
export class GroupCommit<T> {
  private pending: T[] = [];
  private waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  private running = false;

  /**
   * `linger`: how long the first rows wait for company before a write starts (0 = at once), on the
   * injected clock; a steady stream then costs about one insert per `lingerMs`.
   */
  constructor(
    private readonly write: (rows: T[]) => Promise<void>,
    private readonly linger?: { ms: number; clock: { setTimeout(fn: () => void, ms: number): unknown } },
  ) {}

  /** Resolves once `rows` are written (with whatever else was gathered), rejects if that write fails. */
  add(rows: readonly T[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    for (const row of rows) this.pending.push(row);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.running) {
      this.running = true;
      if (this.linger && this.linger.ms > 0) this.linger.clock.setTimeout(() => void this.drain(), this.linger.ms);
      else void this.drain();
    }
    return done;
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const rows = this.pending;
      const waiters = this.waiters;
      this.pending = [];
      this.waiters = [];
      try {
        await this.write(rows);
        for (const w of waiters) w.resolve();
      } catch (err) {
        for (const w of waiters) w.reject(err);
      }
    }
    this.running = false;
  }
}
