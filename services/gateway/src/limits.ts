/** Bounds that keep one gateway's memory and query cost predictable. All optional; defaults below. */
export interface GatewayLimits {
  /** Largest `limit` a GetCandles call may ask for. */
  maxRows: number;
  /** Largest [from_ts, to_ts) span a GetCandles or GetFeatures call may ask for, in ms. */
  maxRangeMs: number;
  /** `limit` used when a GetCandles call sends 0. */
  defaultRows: number;
  /**
   * Largest `limit` (rows per series) a GetFeatures call may ask for: an hour of seconds keeps an answer
   * (about 0.5 kB per second of book features and 1 s flow) under gRPC's default 4 MB message limit.
   */
  featureMaxRows: number;
  /** Largest `limit` with `with_snapshots` (a 100-level snapshot is about 3.3 kB). */
  featureMaxSnapshotRows: number;
  /** `limit` used when a GetFeatures call sends 0. */
  featureDefaultRows: number;
  /** Updates a blocked gRPC stream holds (coalesced by candle / bucket) before dropping the oldest. */
  streamMaxPending: number;
  /**
   * Watch* streams one gRPC client (one connection, by peer address) may hold open at once; more are
   * refused with RESOURCE_EXHAUSTED, so one client cannot pin the gateway's memory and fan-out.
   */
  maxStreamsPerClient: number;
  /** Largest WebSocket message a client may send, in bytes (ws `maxPayload`). */
  wsMaxPayloadBytes: number;
  /** A WebSocket client whose unsent data exceeds this is closed with 1013 instead of growing memory. */
  wsMaxBufferedBytes: number;
  /** Channels one WebSocket client may subscribe to at once. */
  wsMaxSubscriptions: number;
  /** EvaluateLevels calls one gateway runs at once (each on a worker thread); more are refused with RESOURCE_EXHAUSTED. */
  evaluationConcurrency: number;
  /** An evaluation still running after this long is stopped (DEADLINE_EXCEEDED), in ms. */
  evaluationTimeoutMs: number;
  /** How long after a failed start-up read of the stored level sets it is retried, in ms. */
  levelSeedRetryMs: number;
  /** How long `GET /health` waits for the store ping before answering 503, in ms. */
  healthTimeoutMs: number;
  /** How long `stop()` lets calls and sockets finish before forcing them closed, in ms. */
  shutdownGraceMs: number;
}

export const DEFAULT_LIMITS: GatewayLimits = {
  maxRows: 5000,
  // 5000 daily candles: wide enough for any full-history chart, and still a bounded scan.
  maxRangeMs: 5000 * 86_400_000,
  defaultRows: 500,
  featureMaxRows: 3600,
  featureMaxSnapshotRows: 600,
  featureDefaultRows: 300,
  streamMaxPending: 64,
  maxStreamsPerClient: 32,
  wsMaxPayloadBytes: 64 * 1024,
  wsMaxBufferedBytes: 1024 * 1024,
  wsMaxSubscriptions: 64,
  evaluationConcurrency: 1,
  evaluationTimeoutMs: 10 * 60_000,
  levelSeedRetryMs: 5000,
  healthTimeoutMs: 2000,
  shutdownGraceMs: 5000,
};

export function resolveLimits(partial: Partial<GatewayLimits> | undefined): GatewayLimits {
  const limits = { ...DEFAULT_LIMITS, ...partial };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`gateway limit ${name} must be a positive integer, got ${value}`);
  }
  if (limits.defaultRows > limits.maxRows) limits.defaultRows = limits.maxRows;
  if (limits.featureDefaultRows > limits.featureMaxRows) limits.featureDefaultRows = limits.featureMaxRows;
  return limits;
}
