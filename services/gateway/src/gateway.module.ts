import { Module, type DynamicModule } from '@nestjs/common';
import { configuredInstruments, type Platform } from '@pricelevel/platform';
import { GatewayServer } from './gateway-server.js';
import { GatewayLifecycle } from './handlers/lifecycle.handler.js';

@Module({})
export class GatewayModule {
  /** `webRoot`: the web UI's built files, served at `/` (the CLI passes @pricelevel/web's). */
  static register(platform: Platform, options: { webRoot?: string } = {}): DynamicModule {
    const c = platform.config;
    return {
      module: GatewayModule,
      providers: [
        {
          provide: GatewayServer,
          useFactory: () =>
            new GatewayServer({
              store: platform.store,
              bus: platform.bus,
              cache: platform.cache,
              logger: platform.logger,
              clock: platform.clock,
              instruments: configuredInstruments(c),
              grpc: { host: c.GRPC_HOST, port: c.GRPC_PORT },
              http: { host: c.HTTP_HOST, port: c.HTTP_PORT },
              token: c.GATEWAY_TOKEN,
              ws: { allowedOrigins: c.GATEWAY_WS_ALLOWED_ORIGINS, pingIntervalMs: c.GATEWAY_WS_PING_INTERVAL_MS },
              webRoot: options.webRoot,
              levelService: c.LEVEL_SERVICE_ADDRESS === undefined ? undefined : { address: c.LEVEL_SERVICE_ADDRESS },
            }),
        },
        GatewayLifecycle,
      ],
      exports: [GatewayServer],
    };
  }
}
