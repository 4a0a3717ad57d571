import type { Migration } from './migrations.js';

/**
 * Level history (version 9, appended to MIGRATIONS). Same rules as migrations.ts: never edit or renumber
 * an applied one. One row per instrument and level-set version; a rewrite of a version replaces it (the
 * newest `written_at`, set by the engine). The levels are a protobuf LevelSet in base64 (see
 * level-set-codec.ts); `level_count` is there for SQL that only needs to count them.
 */
export const LEVEL_MIGRATIONS: readonly Migration[] = [
  {
    version: 9,
    name: 'level_sets',
    statements: (db) => [
      `CREATE TABLE IF NOT EXISTS ${db}.level_sets (
        exchange LowCardinality(String),
        market LowCardinality(String),
        symbol LowCardinality(String),
        version UInt64,
        computed_at DateTime64(3, 'UTC'),
        current_price Float64,
        atr Float64,
        level_count UInt32,
        levels String,
        written_at DateTime64(6, 'UTC') DEFAULT now64(6)
      )
      ENGINE = ReplacingMergeTree(written_at)
      PARTITION BY toYYYYMM(computed_at)
      ORDER BY (exchange, market, symbol, version)`,
    ],
  },
];
