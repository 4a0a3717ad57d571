import { Module, type DynamicModule } from '@nestjs/common';
import type { Platform } from '@pricelevel/platform';
import { Aggregator } from './aggregator.js';
import { AggregatorLifecycle } from './handlers/lifecycle.handler.js';
import { QualityRecorder } from './quality-recorder.js';
import { QualityLedgerService } from './quality-ledger-service.js';

@Module({})
export class AggregatorModule {
  static register(platform: Platform): DynamicModule {
    return {
      module: AggregatorModule,
      providers: [
        {
          provide: Aggregator,
          useFactory: () =>
            new Aggregator({
              bus: platform.bus,
              store: platform.store,
              clock: platform.clock,
              logger: platform.logger,
              allowedLatenessMs: platform.config.CANDLE_ALLOWED_LATENESS_MS,
              tradeWriteLingerMs: platform.config.TRADE_WRITE_LINGER_MS,
            }),
        },
        {
          provide: QualityRecorder,
          useFactory: () => new QualityRecorder({ bus: platform.bus, store: platform.store, logger: platform.logger }),
        },
        {
          provide: QualityLedgerService,
          useFactory: () =>
            new QualityLedgerService({
              bus: platform.bus,
              store: platform.store,
              clock: platform.clock,
              logger: platform.logger,
              allowedLatenessMs: platform.config.CANDLE_ALLOWED_LATENESS_MS,
            }),
        },
        AggregatorLifecycle,
      ],
      exports: [Aggregator, QualityRecorder, QualityLedgerService],
    };
  }
}
