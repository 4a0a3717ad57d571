import type { BookFeatures, Candle, Level, LevelKind, LevelSet, LevelSource, OrderFlow, QualityEvent, QualityKind, Side, Trade } from '@pricelevel/contracts';

/** Numbers the gateway may send as null: a feature not defined yet (NaN in the message). */
export type Nullable<T> = { [K in keyof T]: T[K] extends number ? number | null : T[K] };

export type WireCandle = Candle;
/** The aggressor side by name ("SIDE_BUY"). */
export type WireTrade = Omit<Trade, 'side'> & { side: keyof typeof Side };
export type WireBookFeatures = Nullable<BookFeatures>;
export type WireOrderFlow = Omit<Nullable<OrderFlow>, 'liquidationCompleteness'> & { liquidationCompleteness: string };
/** Enums travel by name ("LEVEL_KIND_SUPPORT", ["LEVEL_SOURCE_EXTREMA", …]). */
export type WireLevel = Omit<Nullable<Level>, 'kind' | 'sources'> & { kind: keyof typeof LevelKind; sources: (keyof typeof LevelSource)[] };
/** A set without a nearest support or resistance has no such key. */
export type WireLevelSet = Omit<Nullable<LevelSet>, 'levels' | 'nearestSupport' | 'nearestResistance'> & {
  levels: WireLevel[];
  nearestSupport?: WireLevel;
  nearestResistance?: WireLevel;
};
export type WireQualityEvent = Omit<Nullable<QualityEvent>, 'kind'> & { kind: keyof typeof QualityKind };

interface UpdateOf<T extends string, D> {
  type: T;
  channel: string;
  seq: number;
  /** Part of the snapshot sent after subscribing (the latest message of its type), not a new update. */
  snapshot: boolean;
  data: D;
}

export type CandleUpdate = UpdateOf<'candle', WireCandle>;
export type TradeUpdate = UpdateOf<'trade', WireTrade>;
export type FeaturesUpdate = UpdateOf<'features', WireBookFeatures>;
export type FlowUpdate = UpdateOf<'flow', WireOrderFlow>;
export type LevelsUpdate = UpdateOf<'levels', WireLevelSet>;
export type QualityUpdate = UpdateOf<'quality', WireQualityEvent>;
export type Update = CandleUpdate | TradeUpdate | FeaturesUpdate | FlowUpdate | LevelsUpdate | QualityUpdate;

/** The updates each channel kind carries. */
export interface UpdatesByKind {
  candles: CandleUpdate;
  trades: TradeUpdate;
  features: FeaturesUpdate | FlowUpdate;
  flow: FlowUpdate;
  levels: LevelsUpdate;
  quality: QualityUpdate;
}

export interface SubscribedMessage { type: 'subscribed'; channel: string; epoch: string; seq: number }
export interface UnsubscribedMessage { type: 'unsubscribed'; channel: string }
export interface GapMessage { type: 'gap'; channel: string; from: number; to: number }
export interface ErrorMessage { type: 'error'; message: string; channel?: string }
export interface PongMessage { type: 'pong' }
export type ServerMessage = SubscribedMessage | UnsubscribedMessage | GapMessage | ErrorMessage | PongMessage | Update;

export type ClientRequest =
  | { op: 'subscribe'; channel: string; since?: number }
  | { op: 'unsubscribe'; channel: string }
  | { op: 'ping' };

const UPDATE_TYPES = new Set(['candle', 'trade', 'features', 'flow', 'levels', 'quality']);

/** A server frame, checked for the fields the client relies on; undefined when it is not a known message. */
export function parseServerMessage(text: string): ServerMessage | undefined {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof m !== 'object' || m === null) return undefined;
  const o = m as Record<string, unknown>;
  const str = (k: string) => typeof o[k] === 'string';
  const int = (k: string) => Number.isSafeInteger(o[k]) && (o[k] as number) >= 0;
  switch (o.type) {
    case 'subscribed':
      return str('channel') && str('epoch') && int('seq') ? (o as unknown as SubscribedMessage) : undefined;
    case 'unsubscribed':
      return str('channel') ? (o as unknown as UnsubscribedMessage) : undefined;
    case 'gap':
      return str('channel') && int('from') && int('to') ? (o as unknown as GapMessage) : undefined;
    case 'error':
      return str('message') && (o.channel === undefined || str('channel')) ? (o as unknown as ErrorMessage) : undefined;
    case 'pong':
      return { type: 'pong' };
    default:
      if (!UPDATE_TYPES.has(o.type as string) || !str('channel') || !int('seq') || typeof o.data !== 'object' || o.data === null) return undefined;
      return { ...(o as unknown as Update), snapshot: o.snapshot === true };
  }
}

