import path from 'node:path';
import { createChdbStore, createHttpStore, type Config, type Logger, type Store } from '@pricelevel/platform';

/** The store a one-shot command works on: ClickHouse at CLICKHOUSE_URL, else chDB under PL_DATA_DIR. */
export async function openStore(config: Config, logger: Logger): Promise<Store> {
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
