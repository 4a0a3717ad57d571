import type { INestApplicationContext } from '@nestjs/common';
import { Aggregator, QualityLedgerService } from '@pricelevel/aggregator';
import { Collector } from '@pricelevel/collector';
import { FeatureService } from '@pricelevel/feature';
import { GatewayServer, type GatewayMetrics } from '@pricelevel/gateway';
import { LevelDetector } from '@pricelevel/level-detector';
import type { Bus, MetricsRegistry } from '@pricelevel/platform';
import type { ServiceName } from './app.js';

/** Help text of each exposed field of a stats object; fields left out are not exposed. */
type HelpOf<S> = { [K in keyof S]?: string };

function snake(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/**
 * One family per field of a service's stats(): `<prefix>_<field>_total` counters, `<prefix>_<field>`
 * for the fields listed as gauges (current values such as open streams).
 */
function statsFamilies<S extends object>(
  registry: MetricsRegistry,
  prefix: string,
  read: () => S,
  help: HelpOf<S>,
  gauges: readonly (keyof S)[] = [],
): void {
  for (const [field, text] of Object.entries(help) as [keyof S & string, string][]) {
    const collect = () => Number(read()[field]);
    if (gauges.includes(field)) registry.gauge({ name: `${prefix}_${snake(field)}`, help: text, collect });
    else registry.counter({ name: `${prefix}_${snake(field)}_total`, help: text, collect });
  }
}

const GATEWAY_HELP: HelpOf<GatewayMetrics> = {
  busCandles: 'Candles received from the bus.',
  busBookFeatures: 'Book features received from the bus.',
  busOrderFlows: 'Order flows received from the bus.',
  busBookSnapshots: 'Top-of-book snapshots received from the bus.',
  busLevelSets: 'Level sets received from the bus.',
  staleLevelSets: 'Level sets ignored because a newer version was already held.',
  grpcStreams: 'Open gRPC Watch* streams.',
  grpcCandlesSent: 'Candle updates sent on gRPC streams.',
  grpcCandlesDropped: 'Candle updates not sent to a slow gRPC stream.',
  grpcFeaturesSent: 'Feature updates sent on gRPC streams.',
  grpcFeaturesDropped: 'Feature updates not sent to a slow gRPC stream.',
  grpcLevelSetsSent: 'Level sets sent on gRPC streams.',
  grpcLevelSetsDropped: 'Level sets not sent to a slow gRPC stream.',
  evaluations: 'EvaluateLevels calls that ran to the end.',
  evaluationsStopped: 'EvaluateLevels calls stopped before the end.',
  evaluationsRefusedBusy: 'EvaluateLevels calls refused because an evaluation was running.',
  rejectedRequests: 'Calls refused as INVALID_ARGUMENT or NOT_FOUND.',
  grpcUnauthenticated: 'gRPC calls refused as UNAUTHENTICATED.',
  grpcStreamsRefusedPerClient: 'Watch* streams refused because their client had too many open.',
  storeErrors: 'Store queries that failed.',
  wsClients: 'Open WebSocket clients.',
  wsCandlesSent: 'Candle messages sent on WebSockets.',
  wsTradesSent: 'Trade messages sent on WebSockets.',
  wsFeaturesSent: 'Feature messages sent on WebSockets.',
  levelServiceErrors: 'Calls the remote level service could not answer.',
  wsUpdatesRepeated: 'Redelivered updates not published again on WebSockets.',
  wsRenumberings: 'Times the shared WebSocket numbering restarted and clients were asked to resubscribe.',
  wsLevelSetsSent: 'Level-set messages sent on WebSockets.',
  wsQualityEventsSent: 'Quality events sent on WebSockets.',
  wsBadMessages: 'WebSocket messages answered with an error.',
  wsSlowClientsClosed: 'WebSocket clients closed because they did not read fast enough.',
  listenerErrors: 'Fan-out listeners that threw.',
};

function collectorFamilies(registry: MetricsRegistry, collector: Collector): void {
  const perAdapter = (value: (s: ReturnType<Collector['stats']>[number]) => number) => () =>
    collector.stats().map((s) => ({ labels: { exchange: s.exchange, market: s.market }, value: value(s) }));
  const counter = (name: string, help: string, key: string) =>
    registry.counter({ name, help, collect: perAdapter((s) => s.counters[key] ?? 0) });
  counter('pricelevel_collector_frames_total', 'Venue frames received.', 'frames');
  counter('pricelevel_collector_trades_total', 'Trades received from the venue.', 'trades');
  counter('pricelevel_collector_published_total', 'Messages published to the bus.', 'published');
  counter('pricelevel_collector_publish_errors_total', 'Messages whose publication failed.', 'publishErrors');
  counter('pricelevel_collector_publish_dropped_total', 'Messages dropped because too many were waiting to be published.', 'publishDropped');
  counter('pricelevel_collector_reconnects_total', 'Venue reconnections.', 'reconnects');
  counter('pricelevel_collector_disconnects_total', 'Venue disconnections.', 'disconnects');
  registry
    .gauge({ name: 'pricelevel_collector_connected', help: '1 while every venue connection of the adapter is open.', collect: perAdapter((s) => (s.connected ? 1 : 0)) })
    .gauge({
      name: 'pricelevel_collector_books',
      help: 'Order books held, by sync state.',
      collect: () =>
        collector.stats().flatMap((s) => {
          const books = Object.values(s.books);
          const synced = books.filter((b) => b.synced).length;
          return [
            { labels: { exchange: s.exchange, market: s.market, state: 'synced' }, value: synced },
            { labels: { exchange: s.exchange, market: s.market, state: 'unsynced' }, value: books.length - synced },
          ];
        }),
    })
    .gauge({
      // Every adapter counter by its own name (some, such as rest.weightUsed, are current values).
      name: 'pricelevel_collector_adapter_counter',
      help: 'Every adapter counter of stats(), by name.',
      collect: () =>
        collector.stats().flatMap((s) =>
          Object.entries(s.counters).map(([counter, value]) => ({ labels: { exchange: s.exchange, market: s.market, counter }, value })),
        ),
    });
}

/** Registers the metrics of the services running in this process, read from their stats() at scrape time. */
export function registerServiceMetrics(registry: MetricsRegistry, context: INestApplicationContext, services: readonly ServiceName[], bus: Bus): void {
  const stats = bus.stats?.bind(bus);
  if (stats) {
    statsFamilies(registry, 'pricelevel_bus', stats, {
      published: 'Messages accepted by the bus.',
      consumed: 'Messages handled by a batch that succeeded.',
      decodeErrors: 'Messages skipped because they could not be decoded.',
      handlerErrors: 'Batches whose handler threw (each is redelivered).',
    });
  }
  for (const service of services) {
    switch (service) {
      case 'collector':
        collectorFamilies(registry, context.get(Collector));
        break;
      case 'aggregator': {
        const a = context.get(Aggregator);
        statsFamilies(registry, 'pricelevel_aggregator', () => a.stats(), {
          trades: 'Trades folded into candles.',
          duplicates: 'Redelivered trades recognised by id and skipped.',
          candles: 'Candle versions written and published.',
          instruments: 'Instruments with a candle builder.',
          lateDropped: 'Trades dropped because their candle was already closed.',
          invalidDropped: 'Trades dropped as invalid or too far ahead.',
          writeErrors: 'Candle writes that failed (retried).',
        }, ['instruments']);
        const q = context.get(QualityLedgerService);
        statsFamilies(registry, 'pricelevel_quality', () => q.stats(), {
          messages: 'Messages folded into quality minutes.',
          minutesClosed: 'Instrument minutes closed.',
          written: 'Closed quality minutes written and published.',
          writeErrors: 'Quality-minute writes that failed.',
          pendingDropped: 'Closed quality minutes dropped because too many were waiting.',
        });
        break;
      }
      case 'feature': {
        const f = context.get(FeatureService);
        statsFamilies(registry, 'pricelevel_feature', () => f.stats(), {
          instruments: 'Instruments with live features.',
          snapshots: 'Top-of-book snapshots published.',
          resyncingSnapshots: 'Snapshots published while the book was resyncing.',
          bookFeatures: 'Book features published.',
          flows: 'Order flows published.',
          trades: 'Trades folded.',
          duplicateTrades: 'Redelivered trades skipped.',
          liquidations: 'Liquidations folded.',
          lateDropped: 'Trades or liquidations whose second was already closed.',
          ignoredBookUpdates: 'Book updates of an epoch without a snapshot.',
          writeErrors: 'Feature writes that failed.',
        }, ['instruments']);
        break;
      }
      case 'level-detector': {
        const d = context.get(LevelDetector);
        statsFamilies(registry, 'pricelevel_levels', () => d.stats(), {
          instruments: 'Instruments the detector follows.',
          recomputes: 'Level recomputations run.',
          published: 'Level sets published.',
          failures: 'Level recomputations that failed.',
        }, ['instruments']);
        break;
      }
      case 'gateway': {
        const g = context.get(GatewayServer);
        // Every counter of metrics() is exposed, also one added later without a help text here.
        const help: HelpOf<GatewayMetrics> = {};
        for (const key of Object.keys(g.metrics()) as (keyof GatewayMetrics)[]) help[key] = GATEWAY_HELP[key] ?? `Gateway ${snake(key).replace(/_/g, ' ')}.`;
        statsFamilies(registry, 'pricelevel_gateway', () => g.metrics(), help, ['grpcStreams', 'wsClients']);
        break;
      }
    }
  }
}
