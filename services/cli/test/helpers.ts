import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentials, type ServiceError } from '@grpc/grpc-js';
import {
  LevelServiceClient, MarketDataServiceClient, Side, type Candle, type GetLevelsRequest, type LevelSet, type GetCandlesRequest, type GetFeaturesRequest, type GetFeaturesResponse, type Trade,
} from '@pricelevel/contracts';

export const CLI_MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/main.js');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface CliProcess {
  child: ChildProcess;
  /** Every stderr line so far (pino JSON logs). */
  lines: string[];
  waitForLine(pred: (line: string) => boolean, timeoutMs: number): Promise<string>;
  /** SIGTERM, then the exit code (SIGKILL after graceMs). */
  stop(graceMs?: number): Promise<number | null>;
}

export function startCli(args: string[], env: Record<string, string>): CliProcess {
  const child = spawn(process.execPath, [CLI_MAIN, ...args], {
    env: { ...process.env, PL_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let buf = '';
  const onData = (d: Buffer) => {
    buf += d.toString('utf8');
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
    for (const w of waiters) w();
  };
  child.stderr!.on('data', onData);
  child.stdout!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    waitForLine(pred, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = lines.find(pred);
          if (hit !== undefined) {
            waiters.delete(check);
            clearTimeout(t);
            resolve(hit);
          }
        };
        const t = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching log line within ${timeoutMs} ms; last lines:\n${lines.slice(-15).join('\n')}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async stop(graceMs = 20_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

export function grpcClient(port: number): MarketDataServiceClient {
  return new MarketDataServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
}

export function getCandles(client: MarketDataServiceClient, req: Partial<GetCandlesRequest>): Promise<Candle[]> {
  const full: GetCandlesRequest = { exchange: 'binance', market: 'spot', symbol: 'BTCUSDT', interval: '1m', fromTs: 0, toTs: 0, limit: 100, source: '', ...req };
  return new Promise((resolve, reject) =>
    client.getCandles(full, { deadline: Date.now() + 10_000 }, (err: ServiceError | null, res) => (err ? reject(err) : resolve(res!.candles))),
  );
}

export function levelClient(port: number): LevelServiceClient {
  return new LevelServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
}

export function getLevels(client: LevelServiceClient, req: Partial<GetLevelsRequest>): Promise<LevelSet> {
  const full: GetLevelsRequest = { exchange: 'binance', market: 'spot', symbol: 'BTCUSDT', timeframe: '', minScore: 0, limit: 0, ...req };
  return new Promise((resolve, reject) =>
    client.getLevels(full, { deadline: Date.now() + 10_000 }, (err: ServiceError | null, res) => (err ? reject(err) : resolve(res!))),
  );
}

export function getFeatures(client: MarketDataServiceClient, req: Partial<GetFeaturesRequest>): Promise<GetFeaturesResponse> {
  const full: GetFeaturesRequest = {
    exchange: 'binance', market: 'spot', symbol: 'BTCUSDT', fromTs: 0, toTs: 0, limit: 0, flowInterval: '', withSnapshots: false, ...req,
  };
  return new Promise((resolve, reject) =>
    client.getFeatures(full, { deadline: Date.now() + 10_000 }, (err: ServiceError | null, res) => (err ? reject(err) : resolve(res!))),
  );
}

export async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs: number, everyMs = 500): Promise<T> {
  const until = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms${lastErr ? `: ${String(lastErr)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A Binance REST aggTrade ({a,p,q,f,l,T,m}) as the normalized Trade the collector would publish. */
export function tradeFromRestAggTrade(
  r: { a: number; p: string; q: string; f: number; l: number; T: number; m: boolean },
  market: string,
  symbol: string,
): Trade {
  return {
    exchange: 'binance', market, symbol, tradeId: String(r.a), price: Number(r.p), size: Number(r.q),
    side: r.m ? Side.SIDE_SELL : Side.SIDE_BUY, exchangeTs: r.T, receivedTs: 0, tradeCount: r.l - r.f + 1,
  };
}

/** Every aggTrade the venue (simulator) has in [startTime, endTime], paging by id as Binance documents. */
export async function fetchAggTrades(restUrl: string, path: string, symbol: string, startTime: number, endTime: number) {
  type Row = { a: number; p: string; q: string; f: number; l: number; T: number; m: boolean };
  const first = (await (await fetch(`${restUrl}${path}?symbol=${symbol}&startTime=${startTime}&endTime=${endTime}&limit=1000`)).json()) as Row[];
  const out = [...first];
  while (out.length > 0 && out.length % 1000 === 0) {
    const next = (await (await fetch(`${restUrl}${path}?symbol=${symbol}&fromId=${out.at(-1)!.a + 1}&limit=1000`)).json()) as Row[];
    const inRange = next.filter((r) => r.T <= endTime);
    out.push(...inRange);
    if (inRange.length < next.length || next.length === 0) break;
  }
  return out;
}

/** A candle without the fields that legitimately differ between two runs of the same data. */
export function candleContent(c: Candle) {
  const { version: _v, final: _f, ...rest } = c;
  return rest;
}
