import { mkdir } from 'node:fs/promises';
import { createClient, type ClickHouseClientConfigOptions } from '@clickhouse/client';
import type { Logger } from '../logging/logger.js';
import { clientLogConfig } from './client-log-bridge.js';
import { ClickHouseStore, DEFAULT_STORE_DATABASE } from './clickhouse-store.js';
import { quoteDatabase } from './sql-identifiers.js';

export interface ChdbStoreOptions {
  /** Data directory (created if missing). chDB binds one directory per process. */
  path: string;
  /** Default "pricelevel". */
  database?: string;
  logger: Logger;
}

/**
 * The embedded store: ClickHouse in-process via chDB, behind the same @clickhouse/client API as a
 * server. chDB (a ~550 MB native library) is imported lazily so HTTP-only deployments never load it.
 * One process per data path; an open session holds ~250 MB.
 */
export async function createChdbStore(options: ChdbStoreOptions): Promise<ClickHouseStore> {
  if (typeof options.path !== 'string' || options.path.length === 0 || options.path === ':memory:') {
    throw new Error('createChdbStore needs a data directory path');
  }
  quoteDatabase(options.database ?? DEFAULT_STORE_DATABASE); // fail before a session is opened
  await mkdir(options.path, { recursive: true });
  const [{ createChdbConnection }, { drainPending }] = await Promise.all([import('chdb/connection'), import('chdb')]);
  let connection: ReturnType<typeof createChdbConnection>;
  try {
    connection = createChdbConnection({ path: options.path });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`cannot open the chDB store at ${options.path} (one process per data directory): ${reason}`, { cause: err });
  }
  const logger = options.logger.child({ component: 'store', backend: 'chdb' });
  // chdb types its connection against @clickhouse/client-common, which the client bundles its own
  // copy of; the shapes are the same contract (chdb runs the client's parity tests).
  const client = createClient({
    connection: connection as unknown as ClickHouseClientConfigOptions['connection'],
    log: clientLogConfig(logger),
  });
  // Exact double parsing (the engine's default today; explicit so an upgrade cannot change it). A SET
  // lasts for the session, where a per-insert setting would prefix each INSERT with a SET statement,
  // which chDB then splits out of the whole text, data included (measured ~3× slower inserts).
  try {
    await client.command({ query: 'SET precise_float_parsing = 1' });
  } catch (err) {
    await client.close();
    await drainPending();
    throw err;
  }
  logger.info({ path: options.path }, 'store opened on chDB');
  return new ClickHouseStore({
    client,
    logger,
    database: options.database,
    // Closing returns before the engine has let go of the path while work is in flight.
    onClose: () => drainPending(),
  });
}
