import { createClient, type ClickHouseClientConfigOptions } from '@clickhouse/client';
import type { Logger } from '../logging/logger.js';
import { clientLogConfig } from './client-log-bridge.js';
import { ClickHouseStore, DEFAULT_STORE_DATABASE } from './clickhouse-store.js';
import { quoteDatabase } from './sql-identifiers.js';

export interface HttpStoreOptions {
  /** e.g. http://clickhouse:8123 */
  url: string;
  username: string;
  password: string;
  /** Default "pricelevel". */
  database?: string;
  logger: Logger;
  /** Default 30 s. */
  requestTimeoutMs?: number;
  /** Default 10. */
  maxOpenConnections?: number;
}

/**
 * Client settings for a ClickHouse server. No `database` here on purpose: tables are always
 * qualified with the store's database, and a client bound to a database that migrate() has not
 * created yet would fail every request, CREATE DATABASE included.
 */
export function httpClientConfig(options: HttpStoreOptions): ClickHouseClientConfigOptions {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new Error(`invalid ClickHouse url ${JSON.stringify(options.url)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`ClickHouse url must be http(s), got ${url.protocol}`);
  }
  return {
    url: options.url,
    username: options.username,
    password: options.password,
    application: 'pricelevel',
    request_timeout: options.requestTimeoutMs ?? 30_000,
    max_open_connections: options.maxOpenConnections ?? 10,
    compression: { request: false, response: true },
    clickhouse_settings: {
      // Errors surface as a failed request, never as a truncated 200 response.
      wait_end_of_query: 1,
      // Doubles are parsed exactly (servers before 25.x default to a fast parser that is an ulp off for some values).
      precise_float_parsing: 1,
    },
  };
}

/** The distributed store: a ClickHouse server over HTTP. Same class and SQL as the chDB store. */
export function createHttpStore(options: HttpStoreOptions): ClickHouseStore {
  quoteDatabase(options.database ?? DEFAULT_STORE_DATABASE); // fail before a client exists
  const logger = options.logger.child({ component: 'store', backend: 'http' });
  const client = createClient({ ...httpClientConfig(options), log: clientLogConfig(logger) });
  return new ClickHouseStore({ client, logger, database: options.database });
}
