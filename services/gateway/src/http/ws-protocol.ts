import {
  completenessToJSON, levelKindToJSON, levelSourceToJSON, type BookFeatures, type Candle, type Level, type LevelSet, type OrderFlow,
} from '@pricelevel/contracts';
import { checkInstrumentAnd, checkInstrumentAndInterval } from '../candle-query.js';
import { checkFlowInterval } from '../feature-query.js';
import { invalid, type InstrumentCatalog, type InstrumentRef, type RequestProblem } from '../instruments.js';

/**
 * WebSocket protocol (JSON text frames).
 * client → server: {"op":"subscribe"|"unsubscribe","channel":…} with channel one of
 *   candles:<exchange>:<market>:<symbol>:<interval>   every candle update (open and final versions)
 *   features:<exchange>:<market>:<symbol>             each second: the book features, then the order flow of that second
 *   flow:<exchange>:<market>:<symbol>:<interval>      the order flow of each completed bucket: "1s" or a candle interval
 *   levels:<exchange>:<market>:<symbol>               the current level set right after "subscribed" (when one
 *                                                     has been computed), then every newer version
 * server → client: {"type":"subscribed"|"unsubscribed","channel"}, {"type":"error","message"[,"channel"]},
 *   {"type":"candle","channel","data":{…Candle}}, {"type":"features","channel","data":{…BookFeatures}},
 *   {"type":"flow","channel","data":{…OrderFlow}}, {"type":"levels","channel","data":{…LevelSet}}.
 * Data objects carry every field of the message (camelCase). A feature that is not defined yet (NaN in
 * the message) is null, and enums are their names: `liquidationCompleteness` (e.g. "COMPLETENESS_SAMPLED"),
 * a level's `kind` ("LEVEL_KIND_SUPPORT") and `sources` (["LEVEL_SOURCE_EXTREMA", …]). A level set without
 * a nearest support or resistance has no `nearestSupport` / `nearestResistance` key.
 */
export type ClientRequest = { op: 'subscribe' | 'unsubscribe'; channel: string };

export type Channel =
  | ({ kind: 'candles'; interval: string } & InstrumentRef)
  | ({ kind: 'features' } & InstrumentRef)
  | ({ kind: 'flow'; interval: string } & InstrumentRef)
  | ({ kind: 'levels' } & InstrumentRef);

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: RequestProblem };

const OPS = ['subscribe', 'unsubscribe'];
const CHANNEL_MAX_CHARS = 200;
const CHANNEL_SHAPES: Record<Channel['kind'], string> = {
  candles: 'candles:<exchange>:<market>:<symbol>:<interval>',
  features: 'features:<exchange>:<market>:<symbol>',
  flow: 'flow:<exchange>:<market>:<symbol>:<interval>',
  levels: 'levels:<exchange>:<market>:<symbol>',
};

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

/** A channel name, checked like the matching gRPC request (WatchCandles, WatchFeatures, WatchLevels). */
export function parseChannel(channel: string, catalog: InstrumentCatalog): Parsed<Channel> {
  const parts = channel.split(':');
  const kind = parts[0] as Channel['kind'];
  const shape = Object.prototype.hasOwnProperty.call(CHANNEL_SHAPES, kind) ? CHANNEL_SHAPES[kind] : undefined;
  if (shape === undefined || parts.length !== shape.split(':').length) {
    const expected = shape ?? Object.values(CHANNEL_SHAPES).join(', ');
    return fail(`channel ${JSON.stringify(channel)} is malformed: expected ${expected}`);
  }
  const [, exchange = '', market = '', symbol = '', interval = ''] = parts;
  const instrument = { exchange, market, symbol };
  const [value, problem]: [Channel, RequestProblem | undefined] =
    kind === 'candles'
      ? [{ kind, ...instrument, interval }, checkInstrumentAndInterval({ ...instrument, interval }, catalog)]
      : kind === 'flow'
        ? [{ kind, ...instrument, interval }, checkInstrumentAnd(instrument, catalog, checkFlowInterval(interval, false))]
        : [{ kind, ...instrument }, catalog.check(instrument)];
  return problem ? { ok: false, problem } : { ok: true, value };
}

export function channelName(c: Channel): string {
  const base = `${c.kind}:${c.exchange}:${c.market}:${c.symbol}`;
  return c.kind === 'features' || c.kind === 'levels' ? base : `${base}:${c.interval}`;
}

export function candleMessage(channel: string, candle: Candle): string {
  return dataMessage('candle', channel, candle);
}

export function featuresMessage(channel: string, features: BookFeatures): string {
  return dataMessage('features', channel, features);
}

export function flowMessage(channel: string, flow: OrderFlow): string {
  return dataMessage('flow', channel, { ...flow, liquidationCompleteness: completenessToJSON(flow.liquidationCompleteness) });
}

export function levelsMessage(channel: string, set: LevelSet): string {
  const named = (l: Level | undefined) => l && { ...l, kind: levelKindToJSON(l.kind), sources: l.sources.map(levelSourceToJSON) };
  return dataMessage('levels', channel, {
    ...set, levels: set.levels.map(named), nearestSupport: named(set.nearestSupport), nearestResistance: named(set.nearestResistance),
  });
}

export function ackMessage(type: 'subscribed' | 'unsubscribed', channel: string): string {
  return JSON.stringify({ type, channel });
}

export function errorMessage(message: string, channel?: string): string {
  return JSON.stringify(channel === undefined ? { type: 'error', message } : { type: 'error', message, channel });
}

function dataMessage(type: string, channel: string, data: object): string {
  return JSON.stringify({ type, channel, data }, nonFiniteAsNull);
}

/**
 * JSON has no NaN or ±Infinity. JSON.stringify would already write null for them; saying so here keeps
 * "not defined yet" an explicit null on the wire (never 0, never the string "NaN").
 */
function nonFiniteAsNull(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

function fail<T>(message: string): Parsed<T> {
  return { ok: false, problem: invalid(message) };
}
