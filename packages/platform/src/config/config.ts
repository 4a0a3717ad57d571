import { z } from 'zod';

const csv = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

/**
 * All configuration, read once from the environment at start, validated, typed, and then injected.
 * Nothing else reads process.env.
 */
export const ConfigSchema = z.object({
  /** embedded: in-memory bus, chDB, memory cache. distributed: Kafka, ClickHouse server, Redis. */
  PL_MODE: z.enum(['embedded', 'distributed']).default('embedded'),
  PL_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Symbols collected, normalized (BTCUSDT). */
  PL_SYMBOLS: csv.default(['BTCUSDT', 'ETHUSDT']),
  /** Markets collected per venue. */
  PL_MARKETS: csv.pipe(z.array(z.enum(['spot', 'perp']))).default(['spot', 'perp']),
  PL_DATA_DIR: z.string().default('./data'),

  KAFKA_BROKERS: csv.default([]),
  KAFKA_CLIENT_ID: z.string().default('pricelevel'),
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

  GRPC_HOST: z.string().default('0.0.0.0'),
  GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(50051),
  HTTP_HOST: z.string().default('0.0.0.0'),
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),

  /** Candles: how long after a bucket's end a trade may still arrive before the clock closes it. */
  CANDLE_ALLOWED_LATENESS_MS: z.coerce.number().int().min(0).default(2000),
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
  if (c.PL_MODE === 'distributed') {
    const missing = [
      c.KAFKA_BROKERS.length === 0 && 'KAFKA_BROKERS',
      !c.CLICKHOUSE_URL && 'CLICKHOUSE_URL',
    ].filter(Boolean);
    if (missing.length) throw new ConfigError(`invalid configuration: distributed mode needs ${missing.join(', ')}`);
  }
  return c;
}
