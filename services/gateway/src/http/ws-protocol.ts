import {
  completenessToJSON, levelKindToJSON, levelSourceToJSON, qualityKindToJSON, sideToJSON, type BookFeatures, type Candle, type Level,
  type LevelSet, type OrderFlow, type QualityEvent, type Trade,
} from '@pricelevel/contracts';
import { checkInstrumentAnd, checkInstrumentAndInterval } from '../candle-query.js';
import { checkFlowInterval } from '../feature-query.js';
import { invalid, type InstrumentCatalog, type InstrumentRef, type RequestProblem } from '../instruments.js';

/**
 * WebSocket protocol (JSON text frames).
 * client → server:
 *   {"op":"subscribe","channel":…[,"since":<seq>]}, {"op":"unsubscribe","channel":…}, {"op":"ping"} with channel one of
 *   candles:<exchange>:<market>:<symbol>:<interval>   every candle update (open and final versions)
 *   trades:<exchange>:<market>:<symbol>               every trade as the collector normalized it (the tape)
 *   features:<exchange>:<market>:<symbol>             each second: the book features, then the order flow of that second
 *   flow:<exchange>:<market>:<symbol>:<interval>      the order flow of each completed bucket: "1s" or a candle interval
 *   levels:<exchange>:<market>:<symbol>               every newer version of the level set
 *   quality:<exchange>:<market>:<symbol>              data-quality events: sequence gaps, resyncs, reconnects, stale
 *                                                     feeds, malformed frames (a connection's events go to each of its symbols)
 * server → client: {"type":"subscribed","channel","epoch","seq"}, {"type":"unsubscribed","channel"},
 *   {"type":"error","message"[,"channel"]}, {"type":"pong"}, {"type":"gap","channel","from","to"}, and updates
 *   {"type":"candle"|"trade"|"features"|"flow"|"levels"|"quality","channel","seq"[,"snapshot":true],"data":{…}}.
 * Sequence: every update of a channel carries the next `seq` (1, 2, …). The numbers are shared by every
 * gateway process on the same cache (one Redis), named by `epoch` in "subscribed": a client may resume on
 * any of them, but after a reconnect to a different epoch it must subscribe without `since`. Without
 * `since`, "subscribed" is followed by the snapshot, where one exists: the latest message of each type the
 * channel carries (the current level set; the latest candle, book features or flow published), each with
 * `"snapshot":true` and the current seq. With `since` (the last seq
 * received), the missed updates follow in order when the gateway still holds them; otherwise a
 * {"type":"gap","channel","from","to"} names the seqs that cannot be replayed (from is 1 when `since` is
 * ahead of the channel, i.e. from another epoch) and the snapshot follows.
 * Heartbeat: the server pings every connection (WebSocket ping) and drops one that misses two pongs.
 * Data objects carry every field of the message (camelCase). A feature that is not defined yet (NaN in
 * the message) is null, and enums are their names: `liquidationCompleteness` (e.g. "COMPLETENESS_SAMPLED"),
 * a level's `kind` ("LEVEL_KIND_SUPPORT") and `sources` (["LEVEL_SOURCE_EXTREMA", …]), a quality event's `kind`
 * ("QUALITY_KIND_SEQUENCE_GAP"), a trade's `side` ("SIDE_BUY"). A level set without
 * a nearest support or resistance has no `nearestSupport` / `nearestResistance` key.
 */
export type ClientRequest =
  | { op: 'subscribe'; channel: string; since?: number }
  | { op: 'unsubscribe'; channel: string }
  | { op: 'ping' };

export type UpdateType = 'candle' | 'trade' | 'features' | 'flow' | 'levels' | 'quality';

export type Channel =
  | ({ kind: 'candles'; interval: string } & InstrumentRef)
  | ({ kind: 'trades' } & InstrumentRef)
  | ({ kind: 'features' } & InstrumentRef)
  | ({ kind: 'flow'; interval: string } & InstrumentRef)
  | ({ kind: 'levels' } & InstrumentRef)
  | ({ kind: 'quality' } & InstrumentRef);

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: RequestProblem };

const OPS = ['subscribe', 'unsubscribe', 'ping'];
const CHANNEL_MAX_CHARS = 200;
const CHANNEL_SHAPES: Record<Channel['kind'], string> = {
  candles: 'candles:<exchange>:<market>:<symbol>:<interval>',
  trades: 'trades:<exchange>:<market>:<symbol>',
  features: 'features:<exchange>:<market>:<symbol>',
  flow: 'flow:<exchange>:<market>:<symbol>:<interval>',
  levels: 'levels:<exchange>:<market>:<symbol>',
  quality: 'quality:<exchange>:<market>:<symbol>',
};

export function parseClientMessage(text: string): Parsed<ClientRequest> {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return fail('message is not valid JSON');
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return fail('message must be a JSON object like {"op":"subscribe","channel":"candles:binance:spot:BTCUSDT:1m"}');
  const { op, channel, since } = msg as { op?: unknown; channel?: unknown; since?: unknown };
  if (typeof op !== 'string' || !OPS.includes(op)) return fail(`unknown op ${JSON.stringify(op ?? null)}: expected "subscribe", "unsubscribe" or "ping"`);
  if (op === 'ping') return { ok: true, value: { op } };
  if (typeof channel !== 'string' || channel === '') return fail('channel must be a non-empty string');
  if (channel.length > CHANNEL_MAX_CHARS) return fail(`channel is longer than ${CHANNEL_MAX_CHARS} characters`);
  if (op === 'unsubscribe' || since === undefined) return { ok: true, value: { op: op as 'subscribe' | 'unsubscribe', channel } };
  if (typeof since !== 'number' || !Number.isSafeInteger(since) || since < 0) return fail('since must be a non-negative integer: the last seq received');
  return { ok: true, value: { op: 'subscribe', channel, since } };
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
  return c.kind === 'candles' || c.kind === 'flow' ? `${base}:${c.interval}` : base;
}

/** The `data` of an update, encoded once per update and shared by every client and the replay ring. */
export function candleData(candle: Candle): string {
  return encodeData(candle);
}

export function tradeData(trade: Trade): string {
  return encodeData({ ...trade, side: sideToJSON(trade.side) });
}

export function featuresData(features: BookFeatures): string {
  return encodeData(features);
}

export function flowData(flow: OrderFlow): string {
  return encodeData({ ...flow, liquidationCompleteness: completenessToJSON(flow.liquidationCompleteness) });
}

export function levelsData(set: LevelSet): string {
  const named = (l: Level | undefined) => l && { ...l, kind: levelKindToJSON(l.kind), sources: l.sources.map(levelSourceToJSON) };
  return encodeData({ ...set, levels: set.levels.map(named), nearestSupport: named(set.nearestSupport), nearestResistance: named(set.nearestResistance) });
}

export function qualityData(event: QualityEvent): string {
  return encodeData({ ...event, kind: qualityKindToJSON(event.kind) });
}

/** An update message around already encoded data (string assembly: the data is not encoded again). */
export function updateMessage(type: UpdateType, channel: string, seq: number, data: string, snapshot = false): string {
  return `{"type":"${type}","channel":${JSON.stringify(channel)},"seq":${seq}${snapshot ? ',"snapshot":true' : ''},"data":${data}}`;
}

export function subscribedMessage(channel: string, epoch: string, seq: number): string {
  return JSON.stringify({ type: 'subscribed', channel, epoch, seq });
}

export function unsubscribedMessage(channel: string): string {
  return JSON.stringify({ type: 'unsubscribed', channel });
}

export function gapMessage(channel: string, from: number, to: number): string {
  return JSON.stringify({ type: 'gap', channel, from, to });
}

export const PONG_MESSAGE = '{"type":"pong"}';

export function errorMessage(message: string, channel?: string): string {
  return JSON.stringify(channel === undefined ? { type: 'error', message } : { type: 'error', message, channel });
}

function encodeData(data: object): string {
  return JSON.stringify(data, nonFiniteAsNull);
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
