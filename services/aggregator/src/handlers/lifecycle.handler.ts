import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Aggregator } from '../aggregator.js';

/** Starts the aggregator with the application and stops it (flushing candles) on shutdown. */
@Injectable()
export class AggregatorLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(Aggregator) private readonly aggregator: Aggregator) {}

  onApplicationBootstrap(): Promise<void> {
    return this.aggregator.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.aggregator.stop();
  }
}
