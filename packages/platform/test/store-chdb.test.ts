import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createChdbStore, MIGRATIONS, silentLogger, type ClickHouseStore } from '../src/index.js';
import { runStoreContract, trade } from './store.contract.js';

// One chDB session at a time in this file (each holds ~250 MB); the data dir goes at the end.
const dir = mkdtempSync(join(tmpdir(), 'pricelevel-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runStoreContract('chDB', () => createChdbStore({ path: dir, database: 'contract', logger: silentLogger }));

describe('chDB store after a restart on the same data dir', () => {
  let store: ClickHouseStore | undefined;
  afterAll(async () => {
    await store?.close();
  });

  it('keeps its data and applies each migration exactly once', async () => {
    store = await createChdbStore({ path: dir, database: 'contract', logger: silentLogger });
    await store.migrate();
    await store.migrate();
    const records = await store.migrationRecords();
    expect(records).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    const got = await store.queryTrades({
      exchange: 'binance', market: 'spot', symbol: 'DEDUPUSDT', fromTs: 0, toTs: 2 ** 45, limit: 1000,
    });
    expect(got).toHaveLength(50);
  });

  it('counts the rows it drops', async () => {
    const before = store!.droppedRows.trades;
    await store!.insertTrades([trade('COUNTUSDT', 1, { size: Number.NaN }), trade('COUNTUSDT', 2)]);
    expect(store!.droppedRows.trades).toBe(before + 1);
  });

  it('refuses a database name that is not a plain identifier', async () => {
    await expect(createChdbStore({ path: dir, database: 'x`; DROP', logger: silentLogger })).rejects.toThrow(/database name/);
  });
});
