import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LevelDetector } from '../level-detector.js';

/** Starts the level detector with the application; stops it on shutdown. */
@Injectable()
export class LevelDetectorLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(LevelDetector) private readonly detector: LevelDetector) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.detector.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.detector.stop();
  }
}
