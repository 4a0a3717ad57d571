import type { Migration } from './migrations.js';

/**
 * Feature series and liquidations (versions 5-8, appended to MIGRATIONS). Same rules as migrations.ts:
 * never edit or renumber an applied one. Each table keys one row per natural key and keeps the last
 * write (`written_at`, set by the engine): a recompute replaces the row, and reads pick the newest
 * `written_at` of each key before background merges have run.
 * Float64 columns hold NaN for "not defined yet" (see the features proto), so they are never Nullable.
 */

/** Mirrors proto Side (as trades.side); -1 keeps ts-proto's UNRECOGNIZED round-trippable. */
const SIDE_ENUM = "Enum8('unrecognized' = -1, 'unspecified' = 0, 'buy' = 1, 'sell' = 2)";
/** Mirrors proto PositionSide. */
const POSITION_SIDE_ENUM = "Enum8('unrecognized' = -1, 'unspecified' = 0, 'long' = 1, 'short' = 2)";
/** Mirrors proto Completeness; a new value needs a migration that widens this enum. */
const COMPLETENESS_ENUM = "Enum8('unrecognized' = -1, 'unspecified' = 0, 'full' = 1, 'sampled' = 2, 'unavailable' = 3)";

const INSTRUMENT = `exchange LowCardinality(String),
        market LowCardinality(String),
        symbol LowCardinality(String)`;
const WRITTEN_AT = "written_at DateTime64(6, 'UTC') DEFAULT now64(6)";

export const FEATURE_MIGRATIONS: readonly Migration[] = [
  {
    version: 5,
    name: 'book_snapshots',
    statements: (db) => [
      `CREATE TABLE IF NOT EXISTS ${db}.book_snapshots (
        ${INSTRUMENT},
        ts DateTime64(3, 'UTC'),
        resyncing Bool,
        book_epoch Int64,
        last_update_id Int64,
        book_ts DateTime64(3, 'UTC'),
        bid_prices Array(Float64),
        bid_sizes Array(Float64),
        ask_prices Array(Float64),
        ask_sizes Array(Float64),
        ${WRITTEN_AT}
      )
      ENGINE = ReplacingMergeTree(written_at)
      PARTITION BY toYYYYMM(ts)
      ORDER BY (exchange, market, symbol, ts)`,
    ],
  },
  {
    version: 6,
    name: 'book_features',
    statements: (db) => [
      `CREATE TABLE IF NOT EXISTS ${db}.book_features (
        ${INSTRUMENT},
        ts DateTime64(3, 'UTC'),
        resyncing Bool,
        bid_levels Int32,
        ask_levels Int32,
        mid_price Float64,
        spread Float64,
        spread_pct Float64,
        buy_pressure Float64,
        sell_pressure Float64,
        net_pressure Float64,
        pressure_ratio Float64,
        total_pressure Float64,
        bid_volume Float64,
        ask_volume Float64,
        volume_imbalance Float64,
        bid_price_mean Float64,
        bid_price_std Float64,
        ask_price_mean Float64,
        ask_price_std Float64,
        bid_size_mean Float64,
        bid_size_std Float64,
        ask_size_mean Float64,
        ask_size_std Float64,
        bid_top10_concentration Float64,
        ask_top10_concentration Float64,
        price_change_1s Float64,
        price_change_5s Float64,
        price_change_30s Float64,
        price_volatility_30s Float64,
        spread_change_1s Float64,
        spread_change_5s Float64,
        spread_volatility_30s Float64,
        imbalance_change_1s Float64,
        imbalance_change_5s Float64,
        imbalance_volatility_30s Float64,
        buy_pressure_change_1s Float64,
        sell_pressure_change_1s Float64,
        net_pressure_change_1s Float64,
        buy_pressure_volatility_30s Float64,
        sell_pressure_volatility_30s Float64,
        net_pressure_volatility_30s Float64,
        ${WRITTEN_AT}
      )
      ENGINE = ReplacingMergeTree(written_at)
      PARTITION BY toYYYYMM(ts)
      ORDER BY (exchange, market, symbol, ts)`,
    ],
  },
  {
    version: 7,
    name: 'order_flow',
    // The footprint is stored as parallel arrays, one element per price bucket (ascending price).
    statements: (db) => [
      `CREATE TABLE IF NOT EXISTS ${db}.order_flow (
        ${INSTRUMENT},
        interval LowCardinality(String),
        open_time DateTime64(3, 'UTC'),
        close_time DateTime64(3, 'UTC'),
        trade_count Int64,
        late_trades Int64,
        buy_volume Float64,
        sell_volume Float64,
        delta Float64,
        cumulative_delta Float64,
        vwap Float64,
        price_change Float64,
        footprint_step Float64,
        footprint_price Array(Float64),
        footprint_buy_volume Array(Float64),
        footprint_sell_volume Array(Float64),
        footprint_buy_imbalance_ratio Array(Float64),
        footprint_sell_imbalance_ratio Array(Float64),
        footprint_buy_imbalance Array(Bool),
        footprint_sell_imbalance Array(Bool),
        stacked_buy_imbalances Int32,
        stacked_sell_imbalances Int32,
        absorption Float64,
        bid_walls Int32,
        ask_walls Int32,
        nearest_bid_wall_price Float64,
        nearest_bid_wall_size Float64,
        nearest_bid_wall_distance_pct Float64,
        nearest_ask_wall_price Float64,
        nearest_ask_wall_size Float64,
        nearest_ask_wall_distance_pct Float64,
        walls_pulled Int32,
        walls_consumed Int32,
        wall_lifetime_mean_s Float64,
        liquidation_completeness ${COMPLETENESS_ENUM},
        liquidated_long_volume Float64,
        liquidated_short_volume Float64,
        liquidation_count Int64,
        cascade_intensity Float64,
        cascade_exhaustion Float64,
        volatility_z Float64,
        volume_z Float64,
        panic_index Float64,
        ${WRITTEN_AT}
      )
      ENGINE = ReplacingMergeTree(written_at)
      PARTITION BY toYYYYMM(open_time)
      ORDER BY (exchange, market, symbol, interval, open_time)`,
    ],
  },
  {
    version: 8,
    name: 'liquidations',
    // Keyed by what a venue reports, so a redelivery (or a re-collection) of the same liquidation collapses.
    statements: (db) => [
      `CREATE TABLE IF NOT EXISTS ${db}.liquidations (
        ${INSTRUMENT},
        side ${SIDE_ENUM},
        liquidated_position ${POSITION_SIDE_ENUM},
        price Float64,
        size Float64,
        completeness ${COMPLETENESS_ENUM},
        exchange_ts DateTime64(3, 'UTC'),
        received_ts DateTime64(3, 'UTC'),
        ${WRITTEN_AT}
      )
      ENGINE = ReplacingMergeTree(written_at)
      PARTITION BY toYYYYMM(exchange_ts)
      ORDER BY (exchange, market, symbol, exchange_ts, side, price, size)`,
    ],
  },
];
