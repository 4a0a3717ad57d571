import path from 'node:path';
import type { Config } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import { createChdbStore } from './create-chdb-store.js';
import { createHttpStore } from './create-http-store.js';
import type { ClickHouseStore } from './clickhouse-store.js';

/** The store the configuration names: a ClickHouse server at CLICKHOUSE_URL, else chDB under PL_DATA_DIR. */
export async function storeFromConfig(config: Config, logger: Logger): Promise<ClickHouseStore> {
  return config.CLICKHOUSE_URL
    ? createHttpStore({
        url: config.CLICKHOUSE_URL,
        username: config.CLICKHOUSE_USER,
        password: config.CLICKHOUSE_PASSWORD,
        database: config.CLICKHOUSE_DATABASE,
        logger,
      })
    : createChdbStore({ path: path.resolve(config.PL_DATA_DIR, 'chdb'), database: config.CLICKHOUSE_DATABASE, logger });
}
