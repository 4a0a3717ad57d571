import type { Candle } from '@pricelevel/contracts';
import { checkInstrumentAndInterval } from '../candle-query.js';
import { invalid, type InstrumentCatalog, type RequestProblem } from '../instruments.js';

/**
 * WebSocket protocol (JSON text frames).
 * client → server: {"op":"subscribe"|"unsubscribe","channel":"candles:<exchange>:<market>:<symbol>:<interval>"}
 * server → client: {"type":"subscribed"|"unsubscribed","channel"}, {"type":"candle","channel","data":{…}},
 *                  {"type":"error","message"[,"channel"]}
 */
export type ClientRequest = { op: 'subscribe' | 'unsubscribe'; channel: string };

export interface CandleChannel {
  exchange: string;
  market: string;
  symbol: string;
  interval: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: RequestProblem };

const OPS = ['subscribe', 'unsubscribe'];
const CHANNEL_MAX_CHARS = 200;

export function parseClientMessage(text: string): Parsed<ClientRequest> {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return fail('message is not valid JSON');
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return fail('message must be a JSON object like {"op":"subscribe","channel":"candles:binance:spot:BTCUSDT:1m"}');
  const { op, channel } = msg as { op?: unknown; channel?: unknown };
  if (typeof op !== 'string' || !OPS.includes(op)) return fail(`unknown op ${JSON.stringify(op ?? null)}: expected "subscribe" or "unsubscribe"`);
  if (typeof channel !== 'string' || channel === '') return fail('channel must be a non-empty string');
  if (channel.length > CHANNEL_MAX_CHARS) return fail(`channel is longer than ${CHANNEL_MAX_CHARS} characters`);
  return { ok: true, value: { op: op as ClientRequest['op'], channel } };
}

/** `candles:<exchange>:<market>:<symbol>:<interval>`, checked like a WatchCandles request. */
export function parseCandleChannel(channel: string, catalog: InstrumentCatalog): Parsed<CandleChannel> {
  const parts = channel.split(':');
  if (parts.length !== 5 || parts[0] !== 'candles') {
    return fail(`channel ${JSON.stringify(channel)} is malformed: expected candles:<exchange>:<market>:<symbol>:<interval>`);
  }
  const [, exchange = '', market = '', symbol = '', interval = ''] = parts;
  const value = { exchange, market, symbol, interval };
  const problem = checkInstrumentAndInterval(value, catalog);
  return problem ? { ok: false, problem } : { ok: true, value };
}

export function candleChannelName(c: CandleChannel): string {
  return `candles:${c.exchange}:${c.market}:${c.symbol}:${c.interval}`;
}

export function candleMessage(channel: string, candle: Candle): string {
  return JSON.stringify({ type: 'candle', channel, data: { ...candle } });
}

export function ackMessage(type: 'subscribed' | 'unsubscribed', channel: string): string {
  return JSON.stringify({ type, channel });
}

export function errorMessage(message: string, channel?: string): string {
  return JSON.stringify(channel === undefined ? { type: 'error', message } : { type: 'error', message, channel });
}

function fail<T>(message: string): Parsed<T> {
  return { ok: false, problem: invalid(message) };
}
