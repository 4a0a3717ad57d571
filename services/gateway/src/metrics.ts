/** Counters and gauges of one gateway, for logs, /health consumers and tests. */
export interface GatewayMetrics {
  /** Candles received from the bus subscription. */
  busCandles: number;
  /** Book features (feat.book.v1) and order flows (feat.flow.v1) received from the bus. */
  busBookFeatures: number;
  busOrderFlows: number;
  /** Open WatchCandles and WatchFeatures streams. */
  grpcStreams: number;
  grpcCandlesSent: number;
  /** Candle updates not sent to a slow stream: superseded by a newer version of the same candle, or the oldest past the pending bound. */
  grpcCandlesDropped: number;
  grpcFeaturesSent: number;
  /** Feature updates not sent to a slow WatchFeatures stream: the oldest past the pending bound (or a redelivery of a waiting one). */
  grpcFeaturesDropped: number;
  /** Calls (Get/Watch Candles/Features) refused as INVALID_ARGUMENT or NOT_FOUND. */
  rejectedRequests: number;
  /** Store queries that failed (answered UNAVAILABLE or INTERNAL). */
  storeErrors: number;
  /** Open WebSocket clients. */
  wsClients: number;
  wsCandlesSent: number;
  /** WebSocket book-feature and order-flow messages sent. */
  wsFeaturesSent: number;
  /** WebSocket messages answered with an error (bad JSON, unknown op, bad channel, …). */
  wsBadMessages: number;
  /** WebSocket clients closed with 1013 because they did not read fast enough. */
  wsSlowClientsClosed: number;
  /** Fan-out listeners that threw (a bug, logged). */
  listenerErrors: number;
}

export function emptyMetrics(): GatewayMetrics {
  return {
    busCandles: 0,
    busBookFeatures: 0,
    busOrderFlows: 0,
    grpcStreams: 0,
    grpcCandlesSent: 0,
    grpcCandlesDropped: 0,
    grpcFeaturesSent: 0,
    grpcFeaturesDropped: 0,
    rejectedRequests: 0,
    storeErrors: 0,
    wsClients: 0,
    wsCandlesSent: 0,
    wsFeaturesSent: 0,
    wsBadMessages: 0,
    wsSlowClientsClosed: 0,
    listenerErrors: 0,
  };
}
