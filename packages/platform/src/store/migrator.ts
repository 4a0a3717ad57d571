import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '../logging/logger.js';
import { schemaMigrationsDdl, type Migration } from './migrations.js';

/**
 * Applies pending migrations in version order and records each in `schema_migrations`.
 * Safe at every start: applied versions are skipped, DDL is IF NOT EXISTS and the record table
 * dedups by version. Callers serialize concurrent runs (ClickHouseStore keeps one in flight).
 * Returns the versions applied by this run.
 */
export async function applyMigrations(
  client: ClickHouseClient,
  db: string,
  migrations: readonly Migration[],
  logger: Logger,
): Promise<number[]> {
  assertOrdered(migrations);
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` });
  await client.command({ query: schemaMigrationsDdl(db) });
  const rs = await client.query({ query: `SELECT DISTINCT version FROM ${db}.schema_migrations`, format: 'JSONCompactEachRow' });
  const applied = new Set((await rs.json<[number | string]>()).map((r) => Number(r[0])));
  const ran: number[] = [];
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    for (const statement of m.statements(db)) await client.command({ query: statement });
    await client.command({
      query: `INSERT INTO ${db}.schema_migrations (version, name, applied_at) VALUES ({version:UInt32}, {name:String}, now64(3))`,
      query_params: { version: m.version, name: m.name },
    });
    logger.info({ version: m.version, migration: m.name }, 'store migration applied');
    ran.push(m.version);
  }
  return ran;
}

function assertOrdered(migrations: readonly Migration[]): void {
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version <= migrations[i - 1]!.version) {
      throw new Error(`store migrations out of order at version ${migrations[i]!.version}`);
    }
  }
}
