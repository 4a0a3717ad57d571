import {
  credentials, Metadata, status as Status, type CallOptions, type ClientReadableStream, type ClientUnaryCall, type ServiceError,
} from '@grpc/grpc-js';
import { MarketDataServiceClient } from '@pricelevel/contracts';
import { expect } from 'vitest';
import { type Harness, startGateway } from './fixtures.js';

export interface CallStatus {
  code: number;
  details: string;
}

/** The status a call that must fail failed with. */
export async function statusOf(p: Promise<unknown>): Promise<CallStatus> {
  const err = (await p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  )) as ServiceError;
  return { code: err.code, details: err.details };
}

/** Collects a server stream's messages; `ended` resolves with its final status (OK on a clean end). */
export function collect<T>(call: ClientReadableStream<T>): { call: ClientReadableStream<T>; received: T[]; ended: Promise<CallStatus> } {
  const received: T[] = [];
  const ended = new Promise<CallStatus>((resolve) => {
    call.on('data', (m: T) => received.push(m));
    call.on('error', (e: ServiceError) => resolve({ code: e.code, details: e.details }));
    call.on('end', () => resolve({ code: Status.OK, details: '' }));
  });
  return { call, received, ended };
}

/** A gateway on the test doubles and a gRPC client connected to it. */
export async function startWithClient(): Promise<{ h: Harness; client: MarketDataServiceClient }> {
  const h = await startGateway();
  return { h, client: new MarketDataServiceClient(`127.0.0.1:${h.grpcPort}`, credentials.createInsecure()) };
}

type UnaryMethod<Req, Res> = (
  req: Req, metadata: Metadata, options: Partial<CallOptions>, callback: (err: ServiceError | null, res: Res) => void,
) => ClientUnaryCall;

/** Calls a unary method (bound to its client), with a deadline when given. */
export function unary<Req, Res>(method: UnaryMethod<Req, Res>, req: Req, deadlineMs?: number): Promise<Res> {
  const options = deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs };
  return new Promise((resolve, reject) => {
    method(req, new Metadata(), options, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

/** Instrument fields every request is checked for, with the status and details each must get (BTC spot is collected). */
export const BAD_INSTRUMENT_CASES: [string, Record<string, string>, Status, RegExp][] = [
  ['empty exchange', { exchange: '' }, Status.INVALID_ARGUMENT, /exchange is required/],
  ['malformed exchange', { exchange: 'Binance!' }, Status.INVALID_ARGUMENT, /exchange "Binance!" is malformed/],
  ['empty market', { market: '' }, Status.INVALID_ARGUMENT, /market is required/],
  ['unknown market', { market: 'margin' }, Status.INVALID_ARGUMENT, /market "margin" is unknown/],
  ['empty symbol', { symbol: '' }, Status.INVALID_ARGUMENT, /symbol is required/],
  ['malformed symbol', { symbol: 'btc usdt' }, Status.INVALID_ARGUMENT, /symbol "btc usdt" is malformed/],
  ['uncollected exchange', { exchange: 'kraken' }, Status.NOT_FOUND, /kraken:spot:BTCUSDT is not collected/],
  ['uncollected symbol', { symbol: 'SOLUSDT' }, Status.NOT_FOUND, /binance:spot:SOLUSDT is not collected/],
  ['uncollected market', { market: 'perp' }, Status.NOT_FOUND, /binance:perp:BTCUSDT is not collected/],
];

/**
 * Makes the store fail twice through `failNext` (first down, then a bug) and checks that `call`
 * answers UNAVAILABLE, then INTERNAL.
 */
export async function expectStoreFailureStatuses(call: () => Promise<unknown>, failNext: (err: Error) => void): Promise<void> {
  failNext(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' }));
  const down = await statusOf(call());
  expect(Status[down.code]).toBe('UNAVAILABLE');
  expect(down.details).toMatch(/store is unavailable/);

  failNext(new Error('Code: 47. DB::Exception: Unknown identifier: open_tme'));
  const bug = await statusOf(call());
  expect(Status[bug.code]).toBe('INTERNAL');
  expect(bug.details).toMatch(/internal store error/);
}
