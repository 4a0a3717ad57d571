import { instrumentKey, type BookFeatures, type BookSnapshot, type OrderFlow } from '@pricelevel/contracts';
import type { Bus, Logger, Store } from '@pricelevel/platform';

export interface FeatureWriterOptions {
  bus: Bus;
  store: Store;
  logger: Logger;
  /** Rows per kind kept for retry while the bus or store is down; beyond it the oldest are dropped (counted). */
  maxPending?: number;
}

interface Batch {
  snapshots: BookSnapshot[];
  features: BookFeatures[];
  flows: OrderFlow[];
}

const emptyBatch = (): Batch => ({ snapshots: [], features: [], flows: [] });

/**
 * Publishes and stores the service's output in order. Writes are serialized; a failed batch stays
 * pending (ahead of newer rows) and is retried by the next flush. The store dedups by key, so a retry
 * after a partial success never doubles a row.
 */
export class FeatureWriter {
  private pending = emptyBatch();
  private writing: Promise<void> = Promise.resolve();
  errors = 0;
  droppedRows = 0;
  private readonly maxPending: number;

  constructor(private readonly o: FeatureWriterOptions) {
    this.maxPending = o.maxPending ?? 100_000;
  }

  addSecond(snapshot: BookSnapshot, features: BookFeatures): void {
    this.pending.snapshots.push(snapshot);
    this.pending.features.push(features);
  }

  addFlows(flows: readonly OrderFlow[]): void {
    for (const f of flows) this.pending.flows.push(f);
  }

  flush(): Promise<void> {
    const next = this.writing.then(async () => {
      const batch = this.pending;
      if (batch.snapshots.length + batch.features.length + batch.flows.length === 0) return;
      this.pending = emptyBatch();
      try {
        await this.o.bus.publish('feat.snapshot.v1', batch.snapshots.map((value) => ({ key: instrumentKey(value), value })));
        await this.o.bus.publish('feat.book.v1', batch.features.map((value) => ({ key: instrumentKey(value), value })));
        await this.o.bus.publish('feat.flow.v1', batch.flows.map((value) => ({ key: instrumentKey(value), value })));
        await Promise.all([
          this.o.store.insertBookSnapshots(batch.snapshots),
          this.o.store.insertBookFeatures(batch.features),
          this.o.store.insertOrderFlows(batch.flows),
        ]);
      } catch (err) {
        this.errors++;
        this.requeue(batch);
        this.o.logger.error({ err, snapshots: batch.snapshots.length, flows: batch.flows.length }, 'feature write failed; will retry');
        throw err;
      }
    });
    this.writing = next.catch(() => undefined);
    return next;
  }

  private requeue(batch: Batch): void {
    const p = this.pending;
    this.pending = {
      snapshots: this.bounded(batch.snapshots.concat(p.snapshots)),
      features: this.bounded(batch.features.concat(p.features)),
      flows: this.bounded(batch.flows.concat(p.flows)),
    };
  }

  private bounded<T>(rows: T[]): T[] {
    if (rows.length <= this.maxPending) return rows;
    const over = rows.length - this.maxPending;
    this.droppedRows += over;
    this.o.logger.error({ dropped: over }, 'feature writes backed up beyond the limit; oldest rows dropped');
    return rows.slice(over);
  }
}
