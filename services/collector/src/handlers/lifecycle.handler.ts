import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Collector } from '../collector.js';

/** Connects to the venues with the application; disconnects (flushing published events) on shutdown. */
@Injectable()
export class CollectorLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(Collector) private readonly collector: Collector) {}

  onApplicationBootstrap(): Promise<void> {
    return this.collector.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.collector.stop();
  }
}
