import { Module, type DynamicModule } from '@nestjs/common';
import type { Platform } from '@pricelevel/platform';
import { FeatureService } from './feature-service.js';
import { FeatureLifecycle } from './handlers/lifecycle.handler.js';

@Module({})
export class FeatureModule {
  static register(platform: Platform): DynamicModule {
    const c = platform.config;
    return {
      module: FeatureModule,
      providers: [
        {
          provide: FeatureService,
          useFactory: () =>
            new FeatureService({
              bus: platform.bus,
              store: platform.store,
              clock: platform.clock,
              logger: platform.logger,
              flow: { intervals: c.FEATURE_FLOW_INTERVALS, latenessMs: c.FEATURE_LATENESS_MS },
              busSlackMs: c.FEATURE_BUS_SLACK_MS,
            }),
        },
        FeatureLifecycle,
      ],
      exports: [FeatureService],
    };
  }
}
