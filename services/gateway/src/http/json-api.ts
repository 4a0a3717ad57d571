import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Metadata, status as Status, type sendUnaryData, type ServerErrorResponse, type ServerUnaryCall, type StatusObject } from '@grpc/grpc-js';
import {
  BookSnapshot, EvaluateLevelsRequest, EvaluateLevelsResponse, GetCandlesRequest, GetCandlesResponse, GetFeaturesRequest, GetFeaturesResponse,
  GetLevelHistoryRequest, GetLevelHistoryResponse, GetLevelsRequest, GetNearestLevelsRequest, GetNearestLevelsResponse, GetOrderBookRequest,
  LevelSet, ListInstrumentsRequest, ListInstrumentsResponse, type LevelServiceServer, type MarketDataServiceServer, type MessageFns,
} from '@pricelevel/contracts';
import type { Logger } from '@pricelevel/platform';
import { checkBearer } from '../auth.js';
import { sendJson } from './json-response.js';

/** Same bound as a gRPC request: a few strings and numbers. */
const MAX_BODY_BYTES = 64 * 1024;

type UnaryHandler = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void;

interface UnaryMethod {
  request: MessageFns<unknown>;
  response: MessageFns<unknown>;
  handler: UnaryHandler;
}

export interface JsonApiDeps {
  marketData: MarketDataServiceServer;
  levels: LevelServiceServer;
  logger: Logger;
  /** When set, calls must carry `Authorization: Bearer <token>` (HTTP 401 otherwise), as on gRPC. */
  token?: string;
  refused?: () => void;
}

const HTTP_STATUS: Partial<Record<Status, number>> = {
  [Status.INVALID_ARGUMENT]: 400,
  [Status.FAILED_PRECONDITION]: 400,
  [Status.OUT_OF_RANGE]: 400,
  [Status.UNAUTHENTICATED]: 401,
  [Status.PERMISSION_DENIED]: 403,
  [Status.NOT_FOUND]: 404,
  [Status.UNIMPLEMENTED]: 404,
  [Status.RESOURCE_EXHAUSTED]: 429,
  [Status.CANCELLED]: 499,
  [Status.UNAVAILABLE]: 503,
  [Status.DEADLINE_EXCEEDED]: 504,
};

export const JSON_API_PREFIX = '/api/v1/';

/**
 * The unary RPCs of MarketDataService and LevelService over HTTP, for browsers: `POST /api/v1/<Service>/<Method>`
 * with the request message as proto3 JSON (camelCase) answers the response message as JSON, from the very
 * same handlers the gRPC server runs (same checks, limits and status codes). A failure is
 * `{"code":"NOT_FOUND","message":…}` with the matching HTTP status. Streams stay on gRPC and the WebSocket.
 */
export function createJsonApi(deps: JsonApiDeps): (req: IncomingMessage, res: ServerResponse, pathname: string) => void {
  const methods = unaryMethods(deps.marketData, deps.levels);
  return (req, res, pathname) => {
    const name = pathname.slice(JSON_API_PREFIX.length);
    const method = methods.get(name);
    if (!method) return fail(res, Status.UNIMPLEMENTED, `no method ${name}: expected one of ${[...methods.keys()].join(', ')}`);
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return sendJson(res, 405, { code: 'UNIMPLEMENTED', message: 'use POST with the request as a JSON body' });
    }
    if (deps.token !== undefined && !checkBearer(req.headers.authorization, deps.token)) {
      deps.refused?.();
      return fail(res, Status.UNAUTHENTICATED, 'missing or wrong bearer token: send "Authorization: Bearer <token>"');
    }
    readBody(req).then(
      (body) => {
        const parsed = parseRequest(body, method.request);
        if (typeof parsed === 'string') return fail(res, Status.INVALID_ARGUMENT, parsed);
        call(method, parsed, req, res, deps.logger);
      },
      (err: Error) => {
        if (err instanceof TooLarge) sendJson(res, 413, { code: Status[Status.RESOURCE_EXHAUSTED], message: err.message });
        else fail(res, Status.INVALID_ARGUMENT, err.message);
      },
    );
  };
}

function unaryMethods(marketData: MarketDataServiceServer, levels: LevelServiceServer): Map<string, UnaryMethod> {
  const m = (request: MessageFns<unknown>, response: MessageFns<unknown>, handler: unknown): UnaryMethod => ({
    request, response, handler: handler as UnaryHandler,
  });
  const fns = <T>(f: MessageFns<T>) => f as MessageFns<unknown>;
  return new Map([
    ['MarketDataService/ListInstruments', m(fns(ListInstrumentsRequest), fns(ListInstrumentsResponse), marketData.listInstruments)],
    ['MarketDataService/GetCandles', m(fns(GetCandlesRequest), fns(GetCandlesResponse), marketData.getCandles)],
    ['MarketDataService/GetFeatures', m(fns(GetFeaturesRequest), fns(GetFeaturesResponse), marketData.getFeatures)],
    ['MarketDataService/GetOrderBook', m(fns(GetOrderBookRequest), fns(BookSnapshot), marketData.getOrderBook)],
    ['LevelService/GetLevels', m(fns(GetLevelsRequest), fns(LevelSet), levels.getLevels)],
    ['LevelService/GetNearestLevels', m(fns(GetNearestLevelsRequest), fns(GetNearestLevelsResponse), levels.getNearestLevels)],
    ['LevelService/GetLevelHistory', m(fns(GetLevelHistoryRequest), fns(GetLevelHistoryResponse), levels.getLevelHistory)],
    ['LevelService/EvaluateLevels', m(fns(EvaluateLevelsRequest), fns(EvaluateLevelsResponse), levels.evaluateLevels)],
  ]);
}

/**
 * The request message, or why the body is not one. ts-proto's fromJSON coerces silently ("abc" → NaN,
 * unknown keys dropped); a client deserves to hear about its typo instead.
 */
export function parseRequest(body: string, fns: MessageFns<unknown>): unknown {
  let value: unknown;
  try {
    value = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    return 'the body is not valid JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the body must be a JSON object (the request message)';
  const defaults = fns.create() as Record<string, unknown>;
  for (const [key, v] of Object.entries(value)) {
    if (!(key in defaults)) return `unknown field ${JSON.stringify(key)}: the request has ${Object.keys(defaults).join(', ')}`;
    const problem = fieldProblem(key, v, defaults[key]);
    if (problem) return problem;
  }
  return fns.fromJSON(value);
}

function fieldProblem(key: string, v: unknown, model: unknown): string | undefined {
  if (v === null) return undefined;
  if (typeof model === 'number') {
    // proto3 JSON writes 64-bit integers as strings; both forms are accepted.
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    return typeof n === 'number' && Number.isFinite(n) ? undefined : `field ${key} must be a number`;
  }
  if (typeof model === 'boolean') return typeof v === 'boolean' ? undefined : `field ${key} must be true or false`;
  if (typeof model === 'string') return typeof v === 'string' ? undefined : `field ${key} must be a string`;
  if (Array.isArray(model)) return Array.isArray(v) ? undefined : `field ${key} must be an array`;
  return undefined;
}

/** Runs a gRPC unary handler on an HTTP exchange: the call is cancelled when the HTTP client goes away. */
function call(method: UnaryMethod, request: unknown, req: IncomingMessage, res: ServerResponse, logger: Logger): void {
  const emitter = new EventEmitter();
  const metadata = new Metadata();
  // Handed on when the call is forwarded (the remote level service checks the same token).
  if (req.headers.authorization !== undefined) metadata.set('authorization', req.headers.authorization);
  const unary = Object.assign(emitter, {
    request,
    metadata,
    cancelled: false,
    getPeer: () => `http:${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? 0}`,
    getDeadline: () => Infinity,
    getPath: () => req.url ?? '',
  });
  res.on('close', () => {
    if (res.writableFinished) return;
    unary.cancelled = true;
    emitter.emit('cancelled', 'client went away');
  });
  const callback: sendUnaryData<unknown> = (err: ServerErrorResponse | Partial<StatusObject> | null, value?: unknown) => {
    if (err) return fail(res, err.code ?? Status.UNKNOWN, err.details ?? ('message' in err ? err.message : 'failed'));
    sendJson(res, 200, method.response.toJSON(value) as object);
  };
  try {
    method.handler(unary as unknown as ServerUnaryCall<unknown, unknown>, callback);
  } catch (err) {
    logger.error({ err, path: req.url }, 'json api: handler threw');
    fail(res, Status.INTERNAL, 'internal error (logged by the gateway)');
  }
}

class TooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      req.resume();
      reject(new TooLarge(`the body is larger than ${MAX_BODY_BYTES} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new TooLarge(`the body is larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function fail(res: ServerResponse, code: Status, message: string): void {
  sendJson(res, HTTP_STATUS[code] ?? 500, { code: Status[code] ?? 'UNKNOWN', message });
}
