/** The channel kinds of the gateway's /ws protocol. */
export type ChannelKind = 'candles' | 'trades' | 'features' | 'flow' | 'levels' | 'quality';

/** A channel to subscribe to: its kind (which types the updates) and its wire name. */
export interface Channel<K extends ChannelKind = ChannelKind> {
  readonly kind: K;
  readonly name: string;
}

const PART_RE = /^[^:\s]+$/;

function build<K extends ChannelKind>(kind: K, parts: string[]): Channel<K> {
  for (const p of parts) {
    if (!PART_RE.test(p)) throw new Error(`channel part ${JSON.stringify(p)} must be non-empty, without ":" or spaces`);
  }
  return { kind, name: [kind, ...parts].join(':') };
}

/** Typed channel builders; the gateway checks that the instrument is collected and the interval known. */
export const channels = {
  /** Every candle update (open and final versions) of one interval. */
  candles: (exchange: string, market: string, symbol: string, interval: string) => build('candles', [exchange, market, symbol, interval]),
  /** Every trade of one instrument, as the collector normalized it (the tape). */
  trades: (exchange: string, market: string, symbol: string) => build('trades', [exchange, market, symbol]),
  /** Each second: the book features, then the order flow of that second. */
  features: (exchange: string, market: string, symbol: string) => build('features', [exchange, market, symbol]),
  /** The order flow of each completed bucket: "1s" or a candle interval. */
  flow: (exchange: string, market: string, symbol: string, interval: string) => build('flow', [exchange, market, symbol, interval]),
  /** Every newer version of the level set. */
  levels: (exchange: string, market: string, symbol: string) => build('levels', [exchange, market, symbol]),
  /** Data-quality events (sequence gaps, resyncs, reconnects, …) of one instrument. */
  quality: (exchange: string, market: string, symbol: string) => build('quality', [exchange, market, symbol]),
};

const PARTS: Record<ChannelKind, number> = { candles: 5, trades: 4, features: 4, flow: 5, levels: 4, quality: 4 };

/** The channel a wire name stands for, or undefined when it is not one. */
export function parseChannelName(name: string): Channel | undefined {
  const parts = name.split(':');
  const kind = parts[0] as ChannelKind;
  if (!Object.prototype.hasOwnProperty.call(PARTS, kind) || parts.length !== PARTS[kind]) return undefined;
  if (!parts.slice(1).every((p) => PART_RE.test(p))) return undefined;
  return { kind, name };
}
