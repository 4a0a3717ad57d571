import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { GatewayServer } from '../gateway-server.js';

/** Opens the gRPC and HTTP listeners with the application; closes them (ending streams) on shutdown. */
@Injectable()
export class GatewayLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(GatewayServer) private readonly server: GatewayServer) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.server.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.server.stop();
  }
}
