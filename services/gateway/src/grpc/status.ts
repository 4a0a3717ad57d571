import { status as Status } from '@grpc/grpc-js';
import type { RequestProblem } from '../instruments.js';

export interface GrpcStatus {
  code: Status;
  details: string;
}

export function problemToStatus(problem: RequestProblem): GrpcStatus {
  return { code: problem.kind === 'not_found' ? Status.NOT_FOUND : Status.INVALID_ARGUMENT, details: problem.message };
}

const TRANSIENT_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET']);
/** ClickHouse error types that mean "try again", not "this query is wrong". */
const TRANSIENT_CLICKHOUSE = new Set([
  'TIMEOUT_EXCEEDED', 'SOCKET_TIMEOUT', 'NETWORK_ERROR', 'TOO_MANY_SIMULTANEOUS_QUERIES', 'MEMORY_LIMIT_EXCEEDED', 'ALL_CONNECTION_TRIES_FAILED',
]);
const TRANSIENT_MESSAGE = /timed? ?out|socket hang up|ECONNREFUSED|ECONNRESET|unavailable|connection (?:closed|refused|reset)/i;

/** Is a store failure transient (the database is down or overloaded) rather than a bug? */
export function isTransientStoreError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as Error & { code?: unknown; type?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && TRANSIENT_ERRNO.has(e.code)) return true;
  if (typeof e.type === 'string' && TRANSIENT_CLICKHOUSE.has(e.type)) return true;
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return true;
  if (TRANSIENT_MESSAGE.test(e.message)) return true;
  return e.cause !== undefined && e.cause !== err && isTransientStoreError(e.cause);
}

/** Store failures: UNAVAILABLE (retry) when transient, INTERNAL otherwise. Details stay in the log. */
export function storeErrorToStatus(err: unknown): GrpcStatus {
  return isTransientStoreError(err)
    ? { code: Status.UNAVAILABLE, details: 'the market data store is unavailable; retry later' }
    : { code: Status.INTERNAL, details: 'the query failed with an internal store error (logged by the gateway)' };
}
