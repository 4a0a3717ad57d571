import { arr, obj, str, type Json } from './json-fields.js';

/** An answer of the gateway's JSON API that is not a success: its code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The gateway's unary methods as JSON over HTTP (`POST /api/v1/<Service>/<Method>`), on the page's own
 * origin. With a token (from the page's `?token=`), every call carries it as a bearer token.
 */
export class GatewayApi {
  constructor(
    private readonly base: string,
    private readonly token: string | undefined,
  ) {}

  call(service: 'MarketDataService' | 'LevelService', method: string, body: object, signal?: AbortSignal): Promise<Json> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    return fetch(`${this.base}/api/v1/${service}/${method}`, { method: 'POST', headers, body: JSON.stringify(body), signal }).then(async (res) => {
      const json = obj(await res.json().catch(() => undefined)) ?? {};
      if (!res.ok) throw new ApiError(res.status, str(json, 'code') || String(res.status), str(json, 'message') || res.statusText);
      return json;
    });
  }

  async listInstruments(): Promise<Json[]> {
    return objects(await this.call('MarketDataService', 'ListInstruments', {}), 'instruments');
  }

  async getCandles(
    req: { exchange: string; market: string; symbol: string; interval: string; toTs: number; limit: number; source: 'trades' | 'exchange' },
    signal?: AbortSignal,
  ) {
    const res = await this.call('MarketDataService', 'GetCandles', { ...req, fromTs: 0, withQuality: true }, signal);
    return { candles: objects(res, 'candles'), quality: objects(res, 'quality') };
  }

  async getFeatures(req: { exchange: string; market: string; symbol: string; limit: number }, signal?: AbortSignal) {
    const res = await this.call('MarketDataService', 'GetFeatures', { ...req, fromTs: 0, toTs: 0, flowInterval: '1s' }, signal);
    return { book: objects(res, 'book'), flow: objects(res, 'flow') };
  }
}

function objects(o: Json, k: string): Json[] {
  return arr(o, k).map(obj).filter((x): x is Json => x !== undefined);
}
