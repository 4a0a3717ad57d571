import type { QualityEvent } from '@pricelevel/contracts';
import type { Bus, Logger, Store, Subscription } from '@pricelevel/platform';

/** md.quality.v1 → the store, so every gap, resync and reconnect stays queryable. */
export class QualityRecorder {
  private sub: Subscription | undefined;
  private recorded = 0;

  constructor(private readonly o: { bus: Bus; store: Store; logger: Logger; group?: string }) {}

  async start(): Promise<void> {
    this.sub = await this.o.bus.subscribe(
      { topic: 'md.quality.v1', group: this.o.group ?? 'quality-recorder', fromBeginning: true },
      (batch) => this.record(batch.map((d) => d.value)),
    );
  }

  /** Throws when the store refuses, so the bus redelivers the batch. */
  async record(events: readonly QualityEvent[]): Promise<void> {
    await this.o.store.insertQualityEvents(events);
    this.recorded += events.length;
  }

  async stop(): Promise<void> {
    await this.sub?.close();
    this.o.logger.info({ recorded: this.recorded }, 'quality recorder stopped');
  }
}
