import { FEATURE_MIGRATIONS } from './feature-migrations.js';
import { LEVEL_MIGRATIONS } from './level-migrations.js';

/**
 * Versioned schema migrations, applied in order, once each, and recorded in `schema_migrations`.
 * Append new migrations at the end; never edit or renumber an applied one.
 * `db` is an already-validated, back-quoted identifier (see sql-identifiers.ts).
 * Every statement is idempotent (IF NOT EXISTS) so a crash between a statement and its record is harmless.
 */
export interface Migration {
  version: number;
  name: string;
  /** One SQL statement per entry (the HTTP interface runs one statement per request). */
  statements(db: string): string[];
}

/** Shared by trades.side; -1 keeps ts-proto's UNRECOGNIZED round-trippable. */
const SIDE_ENUM = "Enum8('unrecognized' = -1, 'unspecified' = 0, 'buy' = 1, 'sell' = 2)";

/** Mirrors proto QualityKind; a new kind needs a migration that widens this enum. */
const QUALITY_KIND_ENUM =
  "Enum8('unrecognized' = -1, 'unspecified' = 0, 'sequence_gap' = 1, 'resync' = 2, 'reconnect' = 3, " +
  "'malformed' = 4, 'stale' = 5, 'unknown_symbol' = 6)";

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'trades',
    statements: (db) => [
      `CREATE TABLE IF NOT EXISTS ${db}.trades (
        exchange LowCardinality(String),
        market LowCardinality(String),
        symbol LowCardinality(String),
        trade_id String,
        price Float64,
        size Float64,
        side ${SIDE_ENUM},
        trade_count UInt32,
        exchange_ts DateTime64(3, 'UTC'),
        received_ts DateTime64(3, 'UTC'),
        -- the key is by trade id; time-range reads prune granules with this
        INDEX exchange_ts_minmax exchange_ts TYPE minmax GRANULARITY 1
      )
      ENGINE = ReplacingMergeTree
      PARTITION BY toYYYYMM(exchange_ts)
      ORDER BY (exchange, market, symbol, trade_id)`,
    ],
  },
  {
    version: 2,
    name: 'candles',
    statements: (db) => [
      `CREATE TABLE IF NOT EXISTS ${db}.candles (
        exchange LowCardinality(String),
        market LowCardinality(String),
        symbol LowCardinality(String),
        interval LowCardinality(String),
        source LowCardinality(String),
        open_time DateTime64(3, 'UTC'),
        close_time DateTime64(3, 'UTC'),
        open Float64,
        high Float64,
        low Float64,
        close Float64,
        volume Float64,
        quote_volume Float64,
        buy_volume Float64,
        buy_quote_volume Float64,
        trade_count UInt64,
        version UInt64,
        final Bool
      )
      ENGINE = ReplacingMergeTree(version)
      PARTITION BY toYYYYMM(open_time)
      ORDER BY (exchange, market, symbol, interval, source, open_time)`,
    ],
  },
  {
    version: 3,
    name: 'quality_events',
    statements: (db) => [
      `CREATE TABLE IF NOT EXISTS ${db}.quality_events (
        exchange LowCardinality(String),
        market LowCardinality(String),
        symbol LowCardinality(String),
        kind ${QUALITY_KIND_ENUM},
        book_epoch Int64,
        expected_id Int64,
        received_id Int64,
        detail String,
        ts DateTime64(3, 'UTC')
      )
      ENGINE = MergeTree
      PARTITION BY toYYYYMM(ts)
      ORDER BY (exchange, market, symbol, ts)`,
    ],
  },
  {
    version: 4,
    name: 'quality_minutes',
    // The data-quality ledger: one row per instrument minute; a re-close of a minute (a restart) wins by closed_at.
    statements: (db) => [
      `CREATE TABLE IF NOT EXISTS ${db}.quality_minutes (
        exchange LowCardinality(String),
        market LowCardinality(String),
        symbol LowCardinality(String),
        window_start DateTime64(3, 'UTC'),
        messages UInt64,
        trades UInt64,
        book_updates UInt64,
        tickers UInt64,
        sequence_gaps UInt64,
        resyncs UInt64,
        reconnects UInt64,
        stale_events UInt64,
        stale_seconds UInt64,
        latency_samples UInt64,
        latency_p50_ms Nullable(Float64),
        latency_p99_ms Nullable(Float64),
        latency_bucket_ms Array(Float64),
        latency_bucket_count Array(UInt64),
        minutes UInt64,
        closed_at DateTime64(3, 'UTC')
      )
      ENGINE = ReplacingMergeTree(closed_at)
      PARTITION BY toYYYYMM(window_start)
      ORDER BY (exchange, market, symbol, window_start)`,
    ],
  },
  // 5-8: book_snapshots, book_features, order_flow, liquidations
  ...FEATURE_MIGRATIONS,
  // 9: level_sets
  ...LEVEL_MIGRATIONS,
];

/** The bookkeeping table itself; created before any migration runs. */
export function schemaMigrationsDdl(db: string): string {
  return `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations (
    version UInt32,
    name String,
    applied_at DateTime64(3, 'UTC')
  )
  ENGINE = ReplacingMergeTree
  ORDER BY version`;
}
