import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { instrumentKey, type TopicMessage, type TopicName } from '@pricelevel/contracts';
import { MemoryCache, silentLogger } from '@pricelevel/platform';
import { WsGateway, type WsGatewayOptions } from '../../src/http/ws-gateway.js';
import { InstrumentCatalog } from '../../src/instruments.js';
import { resolveLimits } from '../../src/limits.js';
import { LiveFeeds } from '../../src/live-feeds.js';
import { emptyMetrics, type GatewayMetrics } from '../../src/metrics.js';
import { WsChannelPublisher } from '../../src/ws-channel-publisher.js';
import { BTC, BTC_PERP, ETH } from './fixtures.js';
import { TestBus } from './test-bus.js';

export interface WsHarness {
  port: number;
  ws: WsGateway;
  metrics: GatewayMetrics;
  publishTo<T extends TopicName>(topic: T, ...values: TopicMessage<T>[]): Promise<void>;
  stop(): Promise<void>;
}

/** The WebSocket side alone, on an ephemeral loopback port, with its own options. */
export async function startWsGateway(options: Partial<WsGatewayOptions>): Promise<WsHarness> {
  const bus = new TestBus();
  const metrics = emptyMetrics();
  const feeds = new LiveFeeds(silentLogger, metrics);
  await feeds.subscribe(bus, 'ws-test', () => {});
  const cache = new MemoryCache();
  await new WsChannelPublisher(cache, silentLogger, metrics).subscribe(bus, () => {});
  const ws = new WsGateway({
    feeds, cache, catalog: new InstrumentCatalog([BTC, ETH, BTC_PERP]), limits: resolveLimits(undefined), logger: silentLogger, metrics, options,
  });
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => ws.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    ws,
    metrics,
    publishTo: (topic, ...values) => bus.publish(topic, values.map((value) => ({ key: instrumentKey(value as typeof BTC), value }))),
    async stop() {
      ws.closeAll();
      ws.terminateAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await cache.close();
    },
  };
}
