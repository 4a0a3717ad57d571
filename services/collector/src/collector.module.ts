import { Module, type DynamicModule } from '@nestjs/common';
import type { Platform } from '@pricelevel/platform';
import { adaptersFromConfig } from './adapters-from-config.js';
import { backfillOnStart } from './backfill/index.js';
import { Collector } from './collector.js';
import { CollectorLifecycle } from './handlers/lifecycle.handler.js';

@Module({})
export class CollectorModule {
  static register(platform: Platform): DynamicModule {
    return {
      module: CollectorModule,
      providers: [
        {
          provide: Collector,
          useFactory: () =>
            new Collector(adaptersFromConfig(platform, platform.config), platform.logger, () =>
              backfillOnStart({ config: platform.config, store: platform.store, clock: platform.clock, logger: platform.logger }),
            ),
        },
        CollectorLifecycle,
      ],
      exports: [Collector],
    };
  }
}
