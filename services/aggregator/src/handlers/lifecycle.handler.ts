import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Aggregator } from '../aggregator.js';
import { QualityRecorder } from '../quality-recorder.js';

/** Starts the aggregator and the quality recorder with the application; stops them (flushing) on shutdown. */
@Injectable()
export class AggregatorLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(Aggregator) private readonly aggregator: Aggregator,
    @Inject(QualityRecorder) private readonly quality: QualityRecorder,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await Promise.all([this.aggregator.start(), this.quality.start()]);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.aggregator.stop(), this.quality.stop()]);
  }
}
