import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { FeatureService } from '../feature-service.js';

/** Starts the feature service with the application; stops it (flushing) on shutdown. */
@Injectable()
export class FeatureLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(FeatureService) private readonly features: FeatureService) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.features.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.features.stop();
  }
}
