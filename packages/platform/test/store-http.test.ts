import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createHttpStore, createLogger, httpClientConfig, MIGRATIONS, silentLogger } from '../src/index.js';
import { candle, trade } from './store.contract.js';

/**
 * No ClickHouse server runs here (Debian's is from 2018), so the HTTP path is checked against a
 * loopback stand-in for the ClickHouse HTTP interface: it records each request and answers like the
 * server would. The SQL and schema themselves are covered by the chDB contract run (same class).
 */
interface Recorded {
  method: string;
  path: string;
  params: URLSearchParams;
  auth: string | undefined;
  body: string;
}

class FakeClickHouse {
  readonly requests: Recorded[] = [];
  /** Reply for SELECTs (by SQL), and ClickHouse error text to fail the next request. */
  selectReply: (sql: string) => string = () => '';
  failNext: string | undefined;
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void readBody(req).then((body) => {
        const u = new URL(req.url ?? '/', 'http://x');
        this.requests.push({ method: req.method ?? '', path: u.pathname, params: u.searchParams, auth: req.headers.authorization, body });
        if (this.failNext !== undefined) {
          res.writeHead(500, { 'X-ClickHouse-Exception-Code': '60' }).end(this.failNext);
          this.failNext = undefined;
          return;
        }
        if (u.pathname === '/ping') return void res.end('Ok.\n');
        const sql = u.searchParams.get('query') ?? body;
        res.end(/^\s*SELECT/i.test(sql) ? this.selectReply(sql) : '');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const sqlOf = (r: Recorded) => r.params.get('query') ?? r.body;

describe('httpClientConfig', () => {
  const base = { url: 'http://ch:8123', username: 'pl', password: 's3cret', logger: silentLogger };

  it('carries the server, credentials and request settings, and no database', () => {
    const c = httpClientConfig({ ...base, requestTimeoutMs: 5000 });
    expect(c).toMatchObject({ url: 'http://ch:8123', username: 'pl', password: 's3cret', request_timeout: 5000, application: 'pricelevel' });
    expect(c.database).toBeUndefined();
    expect(c.clickhouse_settings).toEqual({ wait_end_of_query: 1, precise_float_parsing: 1 });
  });

  it('rejects urls that are not http(s)', () => {
    expect(() => httpClientConfig({ ...base, url: 'not a url' })).toThrow(/invalid ClickHouse url/);
    expect(() => httpClientConfig({ ...base, url: 'tcp://ch:9000' })).toThrow(/http\(s\)/);
  });

  it('refuses a database name that is not a plain identifier', () => {
    expect(() => createHttpStore({ ...base, database: 'a-b' })).toThrow(/database name/);
  });
});

describe('HTTP store against a loopback ClickHouse HTTP stand-in', () => {
  const fake = new FakeClickHouse();
  let store: ReturnType<typeof createHttpStore>;
  beforeAll(async () => {
    await fake.start();
    store = createHttpStore({ url: fake.url, username: 'pl', password: 's3cret', database: 'md', logger: silentLogger });
  });
  afterAll(async () => {
    await store?.close();
    await fake.stop();
  });

  it('pings the server', async () => {
    await store.ping();
    const r = fake.requests.at(-1)!;
    expect(r.path).toBe('/ping');
  });

  it('migrates in order with one statement per request, recording each version', async () => {
    fake.requests.length = 0;
    fake.selectReply = () => '[1]\n'; // version 1 already applied
    await store.migrate();
    const sql = fake.requests.map(sqlOf);
    expect(sql[0]).toMatch(/^CREATE DATABASE IF NOT EXISTS `md`/);
    expect(sql[1]).toMatch(/CREATE TABLE IF NOT EXISTS `md`\.schema_migrations/);
    expect(sql[2]).toMatch(/SELECT DISTINCT version FROM `md`\.schema_migrations/);
    const pending = MIGRATIONS.filter((m) => m.version !== 1);
    expect(sql.slice(3).filter((s) => s.includes('CREATE TABLE'))).toHaveLength(pending.length);
    expect(sql.join('\n')).not.toMatch(/`md`\.trades \(/); // version 1 skipped
    const records = fake.requests.filter((r) => sqlOf(r).includes('INSERT INTO `md`.schema_migrations'));
    expect(records.map((r) => r.params.get('param_version'))).toEqual(pending.map((m) => String(m.version)));
    for (const r of fake.requests) expect(r.auth).toBe(`Basic ${Buffer.from('pl:s3cret').toString('base64')}`);
  });

  it('binds query values as parameters and decodes the rows', async () => {
    fake.requests.length = 0;
    const t = trade('BTCUSDT', 7, { tradeId: '18446744073709551615' });
    fake.selectReply = () => `${JSON.stringify(['binance', 'spot', 'BTCUSDT', t.tradeId, t.price, t.size, t.side, 1, String(t.exchangeTs), String(t.receivedTs)])}\n`;
    const hostile = "BTCUSDT' OR 1=1 --";
    const got = await store.queryTrades({ exchange: 'binance', market: 'spot', symbol: hostile, fromTs: 1, toTs: 2, limit: 5 });
    expect(got).toEqual([{ ...t, symbol: 'BTCUSDT' }]);
    const r = fake.requests[0]!;
    expect(r.params.get('param_symbol')).toBe("BTCUSDT\\' OR 1=1 --"); // escaped for the server's parser
    expect(r.params.get('param_limit')).toBe('5');
    expect(sqlOf(r)).toContain('symbol = {symbol:String}');
    expect(sqlOf(r)).not.toContain(hostile);
  });

  it('sends inserts as JSONCompact documents typed by the table\'s own column types', async () => {
    fake.requests.length = 0;
    const columns = ['exchange', 'market', 'symbol', 'trade_id', 'price', 'size', 'side', 'trade_count', 'exchange_ts', 'received_ts'];
    fake.selectReply = (sql) => (sql.includes('system.columns') ? columns.map((c) => `${JSON.stringify([c, `T_${c}`])}\n`).join('') : '');
    await store.insertTrades([trade('ETHUSDT', 1), trade('ETHUSDT', 2)]);
    const [describe, r] = fake.requests as [Recorded, Recorded];
    expect(describe.params.get('param_database')).toBe('md');
    expect(describe.params.get('param_table')).toBe('trades');
    expect(r.params.get('query')).toMatch(/^INSERT INTO `md`\.trades \(exchange, ?market.*\) FORMAT JSONCompact$/);
    const doc = JSON.parse(r.body) as { meta: unknown; data: unknown };
    expect(doc.meta).toEqual(columns.map((name) => ({ name, type: `T_${name}` })));
    expect(doc.data).toEqual([
      ['binance', 'spot', 'ETHUSDT', '1000001', 60000.01, 0.002, 2, 1, trade('', 1).exchangeTs, trade('', 1).receivedTs],
      ['binance', 'spot', 'ETHUSDT', '1000002', 60000.02, 0.003, 1, 1, trade('', 2).exchangeTs, trade('', 2).receivedTs],
    ]);
  });

  it('turns a server error into a rejected insert that names the table', async () => {
    fake.failNext = 'Code: 60. DB::Exception: Table md.trades does not exist. (UNKNOWN_TABLE)';
    await expect(store.insertTrades([trade('ETHUSDT', 3)])).rejects.toThrow(/insert into trades failed: .*does not exist/);
  });

  it('refuses to insert into a table that lacks the expected columns', async () => {
    fake.selectReply = () => '';
    const fresh = createHttpStore({ url: fake.url, username: 'pl', password: 's3cret', database: 'md', logger: silentLogger });
    await expect(fresh.insertCandles([candle('BTCUSDT', 1)])).rejects.toThrow(/insert into candles failed: table md\.candles has no column exchange: run migrate\(\) first/);
    await fresh.close();
  });
});

describe('HTTP store with nobody listening', () => {
  it('fails ping with a clear error, and the client warning reaches the project logger', async () => {
    const probe = new FakeClickHouse();
    await probe.start();
    const url = probe.url;
    await probe.stop(); // the port is now closed
    const lines: string[] = [];
    const destination = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) });
    const logger = createLogger({ level: 'warn', destination });
    const store = createHttpStore({ url, username: 'u', password: 'p', logger, requestTimeoutMs: 2000 });
    await expect(store.ping()).rejects.toThrow(/store ping failed: .*ECONNREFUSED/);
    await store.close();
    const warnings = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(warnings).toContainEqual(expect.objectContaining({ module: 'clickhouse-client', backend: 'http', err: expect.stringContaining('ECONNREFUSED') }));
  });
});
