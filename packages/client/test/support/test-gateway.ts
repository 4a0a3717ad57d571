import { instrumentKey, type TopicMessage, type TopicName } from '@pricelevel/contracts';
import { GatewayServer, type GatewayServerOptions } from '@pricelevel/gateway';
import { ManualClock, MemoryBus, silentLogger, type Cache } from '@pricelevel/platform';
import { BTC, ETH, MIN, T0, type Instrument } from './fixtures.js';
import { MemoryStore } from './memory-store.js';

export interface TestGateway {
  gateway: GatewayServer;
  grpcAddress: string;
  grpcPort: number;
  httpPort: number;
  wsUrl: string;
  store: MemoryStore;
  bus: MemoryBus;
  publish<T extends TopicName>(topic: T, ...values: TopicMessage<T>[]): Promise<void>;
  stop(): Promise<void>;
}

export interface TestGatewayOptions {
  token?: string;
  /** Shared by replicas: same cache = same WebSocket numbering (epoch). */
  cache?: Cache;
  bus?: MemoryBus;
  store?: MemoryStore;
  http?: { port: number };
}

/** A real GatewayServer on loopback ports, over an in-memory bus, store and cache; BTC and ETH spot collected. */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const store = options.store ?? new MemoryStore();
  const bus = options.bus ?? new MemoryBus();
  const config: GatewayServerOptions = {
    store,
    bus,
    cache: options.cache,
    clock: new ManualClock(T0 + 30 * MIN + 15_000),
    logger: silentLogger,
    instruments: [BTC, ETH],
    grpc: { host: '127.0.0.1', port: 0 },
    http: { host: '127.0.0.1', port: options.http?.port ?? 0 },
    token: options.token,
    ws: { replayRetainMs: 60_000 },
  };
  const gateway = new GatewayServer(config);
  const { grpcPort, httpPort } = await gateway.start();
  return {
    gateway, grpcPort, httpPort, store, bus,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    wsUrl: `ws://127.0.0.1:${httpPort}/ws`,
    publish: (topic, ...values) => bus.publish(topic, values.map((value) => ({ key: instrumentKey(value as Instrument), value }))),
    stop: () => gateway.stop(),
  };
}
