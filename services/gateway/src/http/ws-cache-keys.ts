import type { UpdateType } from './ws-protocol.js';

/**
 * Where WebSocket channel updates live in the shared cache. Every update of a channel is published once,
 * numbered, as `"<seq> <type> <data>"` on `pl:ws:<channel>`; the counter is `pl:ws:seq:<channel>` and the
 * latest update of each type is kept under `pl:ws:last:<type>:<channel>`.
 */
export const WS_EPOCH_KEY = 'pl:ws:epoch';
/** The last bus position published per topic partition (a hash), so a redelivery publishes nothing twice. */
export const WS_SOURCE_MARKS_KEY = 'pl:ws:source';

export function wsUpdatesChannel(channel: string): string {
  return `pl:ws:${channel}`;
}

export function wsCounterKey(channel: string): string {
  return `pl:ws:seq:${channel}`;
}

export function wsLatestKey(channel: string, type: UpdateType): string {
  return `pl:ws:last:${type}:${channel}`;
}

/** The update types each channel kind carries. */
export const CHANNEL_TYPES: Record<'candles' | 'trades' | 'features' | 'flow' | 'levels' | 'quality', readonly UpdateType[]> = {
  candles: ['candle'], trades: ['trade'], features: ['features', 'flow'], flow: ['flow'], levels: ['levels'], quality: ['quality'],
};

export interface NumberedUpdate {
  seq: number;
  type: UpdateType;
  data: string;
}

const TYPES = new Set<string>(['candle', 'trade', 'features', 'flow', 'levels', 'quality']);

/** The cache text `"<seq> <type> <data>"` of a numbered update; undefined when it is not one. */
export function parseNumberedUpdate(text: string): NumberedUpdate | undefined {
  const a = text.indexOf(' ');
  const b = a < 0 ? -1 : text.indexOf(' ', a + 1);
  if (b < 0) return undefined;
  const seq = Number(text.slice(0, a));
  const type = text.slice(a + 1, b);
  if (!Number.isSafeInteger(seq) || seq <= 0 || !TYPES.has(type)) return undefined;
  return { seq, type: type as UpdateType, data: text.slice(b + 1) };
}
