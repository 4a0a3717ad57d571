import { INTERVAL_NAMES, VENUES, venueHasMarket, type Interval, type Venue } from '@pricelevel/contracts';
import { z } from 'zod';

const csv = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

/**
 * All configuration, read once from the environment at start, validated, typed, and then injected.
 * Nothing else reads process.env.
 */
export const ConfigSchema = z.object({
  /**
   * embedded: one process, in-memory bus. distributed: separate processes over Kafka.
   * Each port's adapter follows its variable: KAFKA_BROKERS → Kafka, CLICKHOUSE_URL → ClickHouse
   * server (else chDB under PL_DATA_DIR), REDIS_URL → Redis (else in-memory).
   */
  PL_MODE: z.enum(['embedded', 'distributed']).default('embedded'),
  PL_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Venues collected. */
  PL_EXCHANGES: csv.pipe(z.array(z.enum(VENUES as [Venue, ...Venue[]]))).default([...VENUES]),
  /** Symbols collected, normalized (BTCUSDT). */
  PL_SYMBOLS: csv.transform((l) => l.map((x) => x.toUpperCase())).default(['BTCUSDT', 'ETHUSDT']),
  /** Markets collected per venue. */
  PL_MARKETS: csv.pipe(z.array(z.enum(['spot', 'perp']))).default(['spot', 'perp']),
  PL_DATA_DIR: z.string().default('./data'),

  KAFKA_BROKERS: csv.default([]),
  KAFKA_CLIENT_ID: z.string().default('pricelevel'),
  /** Consumer-group session timeout and heartbeat (a rebalance after a member dies takes about the timeout). */
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30_000),
  KAFKA_HEARTBEAT_MS: z.coerce.number().int().min(100).default(3_000),
  CLICKHOUSE_URL: z.string().url().optional(),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_DATABASE: z.string().default('pricelevel'),
  REDIS_URL: z.string().optional(),

  /** Venue endpoints; the simulator mode points them at loopback. */
  BINANCE_SPOT_WS_URL: z.string().default('wss://stream.binance.com:9443'),
  BINANCE_SPOT_REST_URL: z.string().default('https://api.binance.com'),
  BINANCE_PERP_WS_URL: z.string().default('wss://fstream.binance.com'),
  BINANCE_PERP_REST_URL: z.string().default('https://fapi.binance.com'),
  /** Open-interest REST poll period (weight 1 per call). */
  BINANCE_OI_POLL_MS: z.coerce.number().int().min(1000).default(5000),
  BYBIT_SPOT_WS_URL: z.string().default('wss://stream.bybit.com/v5/public/spot'),
  BYBIT_PERP_WS_URL: z.string().default('wss://stream.bybit.com/v5/public/linear'),
  BYBIT_REST_URL: z.string().default('https://api.bybit.com'),
  BINGX_PERP_WS_URL: z.string().default('wss://open-api-swap.bingx.com/swap-market'),
  BINGX_PERP_REST_URL: z.string().default('https://open-api.bingx.com'),
  /** Open interest and premium index REST poll period. */
  BINGX_REST_POLL_MS: z.coerce.number().int().min(1000).default(5000),
  /** HTX host: trades on <url>/ws, the MBP book feed on <url>/feed. */
  HTX_WS_URL: z.string().default('wss://api.huobi.pro'),
  HTX_REST_URL: z.string().default('https://api.huobi.pro'),

  GRPC_HOST: z.string().default('0.0.0.0'),
  GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(50051),
  /**
   * Shared secret of the gateway: when set, every gRPC call and WebSocket upgrade must carry
   * `authorization: Bearer <token>` (health checks and reflection stay open). Unset or empty = open.
   */
  GATEWAY_TOKEN: z.string().optional().transform((s) => (s ? s : undefined)),
  /** Origins a browser may open the WebSocket from (exact `Origin` values, comma-separated); empty = any. */
  GATEWAY_WS_ALLOWED_ORIGINS: csv.default([]),
  /** WebSocket ping period; a client that misses two pongs is dropped. */
  GATEWAY_WS_PING_INTERVAL_MS: z.coerce.number().int().min(100).default(15_000),
  /**
   * Distributed mode: the level detector's LevelService (`host:port`); the gateway forwards every
   * LevelService call there. Empty = the gateway answers LevelService itself (one process).
   */
  LEVEL_SERVICE_ADDRESS: z.string().optional().transform((s) => (s ? s : undefined)),
  /** The level detector's own gRPC server (LevelService), started when it runs without a gateway beside it. */
  LEVEL_GRPC_HOST: z.string().default('0.0.0.0'),
  LEVEL_GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(50052),
  HTTP_HOST: z.string().default('0.0.0.0'),
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Operations server of every process: /health/live, /health/ready, /health and /metrics. Port 0 = a free port. */
  OPS_HOST: z.string().default('0.0.0.0'),
  OPS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),

  /**
   * Trades: the aggregator stores them in one insert per this long at most (an embedded store pays a large
   * fixed cost per insert); candles are published before, so this delays nothing live.
   */
  TRADE_WRITE_LINGER_MS: z.coerce.number().int().min(0).max(10_000).default(200),
  /** Candles: how long after a bucket's end a trade may still arrive before the clock closes it. */
  CANDLE_ALLOWED_LATENESS_MS: z.coerce.number().int().min(0).default(2000),

  /**
   * Features: a trade counts in its second's order flow when the collector received it no later than
   * this after the second's end; the service closes a second this long (plus FEATURE_BUS_SLACK_MS) after.
   */
  FEATURE_LATENESS_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  /** Extra wait for bus delivery before a second's order flow is closed. */
  FEATURE_BUS_SLACK_MS: z.coerce.number().int().min(0).max(60_000).default(250),
  /** Candle intervals the per-second order flow is rolled up to. */
  FEATURE_FLOW_INTERVALS: csv
    .pipe(z.array(z.enum(INTERVAL_NAMES as [Interval, ...Interval[]])))
    .default(['1m', '5m', '15m', '1h', '4h', '1d']),

  /**
   * Venue klines fetched over REST at collector start for every configured instrument (incremental:
   * only what the store lacks). Empty (the default) = no backfill at start.
   */
  PL_BACKFILL_INTERVALS: csv.pipe(z.array(z.enum(INTERVAL_NAMES as [Interval, ...Interval[]]))).default([]),
  /**
   * Where an empty series starts: an ISO date or date-time (UTC), epoch ms, or an age such as `30d`,
   * `12h`, `2w` back from the start.
   */
  PL_BACKFILL_SINCE: z
    .string()
    .regex(/^(\d+[mhdw]|\d{4}-\d{2}-\d{2}([T ][0-9:.]+Z?)?|\d{10,})$/, 'an ISO date, epoch ms or an age like 30d')
    .default('30d'),
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {}

/** Parses and validates; throws one ConfigError that names every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const r = ConfigSchema.safeParse(env);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const c = r.data;
  // Separate processes share nothing in memory: they need a real bus. The store may stay chDB for a
  // process that owns its data directory; several writers need CLICKHOUSE_URL.
  if (c.PL_MODE === 'distributed' && c.KAFKA_BROKERS.length === 0) {
    throw new ConfigError('invalid configuration: distributed mode needs KAFKA_BROKERS');
  }
  return c;
}

/** Every (exchange, market, symbol) the configuration collects. */
export function configuredInstruments(c: Config): { exchange: string; market: string; symbol: string }[] {
  return c.PL_EXCHANGES.flatMap((exchange) =>
    c.PL_MARKETS.filter((m) => venueHasMarket(exchange, m)).flatMap((market) =>
      c.PL_SYMBOLS.map((symbol) => ({ exchange, market, symbol })),
    ),
  );
}
