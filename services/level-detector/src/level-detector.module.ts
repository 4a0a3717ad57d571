import { Module, type DynamicModule } from '@nestjs/common';
import { configuredInstruments, type Platform } from '@pricelevel/platform';
import { LevelDetector } from './level-detector.js';
import { LevelDetectorLifecycle } from './handlers/lifecycle.handler.js';

@Module({})
export class LevelDetectorModule {
  static register(platform: Platform): DynamicModule {
    return {
      module: LevelDetectorModule,
      providers: [
        {
          provide: LevelDetector,
          useFactory: () =>
            new LevelDetector({
              bus: platform.bus,
              store: platform.store,
              clock: platform.clock,
              logger: platform.logger,
              instruments: configuredInstruments(platform.config),
            }),
        },
        LevelDetectorLifecycle,
      ],
      exports: [LevelDetector],
    };
  }
}
