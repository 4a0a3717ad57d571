import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Aggregator } from '../aggregator.js';
import { QualityRecorder } from '../quality-recorder.js';
import { QualityLedgerService } from '../quality-ledger-service.js';

/** Starts the aggregator, the quality recorder and the quality ledger with the application; stops them (flushing) on shutdown. */
@Injectable()
export class AggregatorLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(Aggregator) private readonly aggregator: Aggregator,
    @Inject(QualityRecorder) private readonly quality: QualityRecorder,
    @Inject(QualityLedgerService) private readonly ledger: QualityLedgerService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await Promise.all([this.aggregator.start(), this.quality.start(), this.ledger.start()]);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.aggregator.stop(), this.quality.stop(), this.ledger.stop()]);
  }
}
