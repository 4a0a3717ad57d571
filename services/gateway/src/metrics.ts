/** Counters and gauges of one gateway, for logs, /health consumers and tests. */
export interface GatewayMetrics {
  /** Candles received from the bus subscription. */
  busCandles: number;
  /** Book features (feat.book.v1) and order flows (feat.flow.v1) received from the bus. */
  busBookFeatures: number;
  busOrderFlows: number;
  /** Top-of-book snapshots (feat.snapshot.v1) received from the bus (the latest per instrument answers GetOrderBook). */
  busBookSnapshots: number;
  /** Level sets received from levels.v1, and those ignored because a newer version of the instrument was already held. */
  busLevelSets: number;
  staleLevelSets: number;
  /** Open WatchCandles, WatchFeatures and WatchLevels streams. */
  grpcStreams: number;
  grpcCandlesSent: number;
  /** Candle updates not sent to a slow stream: superseded by a newer version of the same candle, or the oldest past the pending bound. */
  grpcCandlesDropped: number;
  grpcFeaturesSent: number;
  /** Feature updates not sent to a slow WatchFeatures stream: the oldest past the pending bound (or a redelivery of a waiting one). */
  grpcFeaturesDropped: number;
  grpcLevelSetsSent: number;
  /** Level sets not sent to a slow WatchLevels stream: superseded by a newer version while waiting. */
  grpcLevelSetsDropped: number;
  /**
   * EvaluateLevels calls that ran to the end, those stopped before (cancelled, deadline, timeout, shutdown),
   * and those refused because the gateway was already evaluating.
   */
  evaluations: number;
  evaluationsStopped: number;
  evaluationsRefusedBusy: number;
  /** Calls (every gRPC method) refused as INVALID_ARGUMENT or NOT_FOUND. */
  rejectedRequests: number;
  /** gRPC calls refused as UNAUTHENTICATED (GATEWAY_TOKEN set, bearer token missing or wrong). */
  grpcUnauthenticated: number;
  /** Watch* streams refused with RESOURCE_EXHAUSTED because their client already had `maxStreamsPerClient` open. */
  grpcStreamsRefusedPerClient: number;
  /** Store queries that failed (answered UNAVAILABLE or INTERNAL). */
  storeErrors: number;
  /** Open WebSocket clients. */
  wsClients: number;
  wsCandlesSent: number;
  /** WebSocket trade messages sent (trades: channels). */
  wsTradesSent: number;
  /** WebSocket book-feature and order-flow messages sent. */
  wsFeaturesSent: number;
  /** WebSocket level-set messages sent (current sets on subscribe and new versions). */
  /** Calls the remote level service (distributed mode) could not answer. */
  levelServiceErrors: number;
  /** Times the shared WebSocket numbering restarted (cache flushed) and clients were asked to resubscribe. */
  wsRenumberings: number;
  /** Redelivered bus messages whose WebSocket updates were already published (skipped). */
  wsUpdatesRepeated: number;
  wsLevelSetsSent: number;
  /** Quality events sent on quality: channels. */
  wsQualityEventsSent: number;
  /** WebSocket messages answered with an error (bad JSON, unknown op, bad channel, …). */
  wsBadMessages: number;
  /** WebSocket clients closed with 1013 because they did not read fast enough. */
  wsSlowClientsClosed: number;
  /** WebSocket channel updates this process numbered and published to the shared cache (for every process). */
  wsUpdatesPublished: number;
  /** Fan-out listeners that threw (a bug, logged). */
  listenerErrors: number;
}

export function emptyMetrics(): GatewayMetrics {
  return {
    busCandles: 0,
    busBookFeatures: 0,
    busOrderFlows: 0,
    busBookSnapshots: 0,
    busLevelSets: 0,
    staleLevelSets: 0,
    grpcStreams: 0,
    grpcCandlesSent: 0,
    grpcCandlesDropped: 0,
    grpcFeaturesSent: 0,
    grpcFeaturesDropped: 0,
    grpcLevelSetsSent: 0,
    grpcLevelSetsDropped: 0,
    evaluations: 0,
    evaluationsStopped: 0,
    evaluationsRefusedBusy: 0,
    rejectedRequests: 0,
    grpcUnauthenticated: 0,
    grpcStreamsRefusedPerClient: 0,
    storeErrors: 0,
    wsClients: 0,
    wsCandlesSent: 0,
    wsTradesSent: 0,
    wsFeaturesSent: 0,
    levelServiceErrors: 0,
    wsRenumberings: 0,
    wsUpdatesRepeated: 0,
    wsLevelSetsSent: 0,
    wsQualityEventsSent: 0,
    wsBadMessages: 0,
    wsSlowClientsClosed: 0,
    wsUpdatesPublished: 0,
    listenerErrors: 0,
  };
}
