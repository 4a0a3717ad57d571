import { Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { configuredInstruments, type Platform } from '@pricelevel/platform';
import { LevelApiServer } from './level-api-server.js';

@Injectable()
class LevelApiLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(LevelApiServer) private readonly server: LevelApiServer) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.server.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.server.stop();
  }
}

/** The level detector's LevelService on LEVEL_GRPC_HOST:LEVEL_GRPC_PORT, for gateways in other processes. */
@Module({})
export class LevelApiModule {
  static register(platform: Platform): DynamicModule {
    const c = platform.config;
    return {
      module: LevelApiModule,
      providers: [
        {
          provide: LevelApiServer,
          useFactory: () =>
            new LevelApiServer({
              store: platform.store,
              bus: platform.bus,
              logger: platform.logger,
              clock: platform.clock,
              instruments: configuredInstruments(c),
              grpc: { host: c.LEVEL_GRPC_HOST, port: c.LEVEL_GRPC_PORT },
              token: c.GATEWAY_TOKEN,
            }),
        },
        LevelApiLifecycle,
      ],
      exports: [LevelApiServer],
    };
  }
}
