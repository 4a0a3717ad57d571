import type { Market } from './symbol-spec.js';

export type StreamKind = 'aggTrade' | 'depth' | 'markPrice' | 'forceOrder' | 'kline';

export interface StreamSpec {
  /** Canonical name as used in the combined wrapper: lowercase symbol + '@' + suffix. */
  name: string;
  /** Venue symbol, uppercase. */
  symbol: string;
  kind: StreamKind;
  /** Push cadence for depth and markPrice streams. */
  periodMs?: number;
}

/** Suffixes each market serves, with their documented cadence. */
const SUFFIXES: Record<Market, Record<string, { kind: StreamKind; periodMs?: number }>> = {
  spot: {
    aggTrade: { kind: 'aggTrade' },
    depth: { kind: 'depth', periodMs: 1000 },
    'depth@1000ms': { kind: 'depth', periodMs: 1000 },
    'depth@100ms': { kind: 'depth', periodMs: 100 },
  },
  perp: {
    aggTrade: { kind: 'aggTrade' },
    depth: { kind: 'depth', periodMs: 250 },
    'depth@500ms': { kind: 'depth', periodMs: 500 },
    'depth@100ms': { kind: 'depth', periodMs: 100 },
    markPrice: { kind: 'markPrice', periodMs: 3000 },
    'markPrice@1s': { kind: 'markPrice', periodMs: 1000 },
    forceOrder: { kind: 'forceOrder' },
  },
};

/** Parse a stream name; null when the syntax, the stream type or the symbol is unknown on this market. */
export function parseStream(market: Market, raw: unknown, symbols: ReadonlySet<string>): StreamSpec | null {
  if (typeof raw !== 'string') return null;
  const at = raw.indexOf('@');
  if (at <= 0) return null;
  const symbol = raw.slice(0, at).toUpperCase();
  const suffix = raw.slice(at + 1);
  const def = SUFFIXES[market][suffix];
  if (!def || !symbols.has(symbol)) return null;
  return {
    name: `${symbol.toLowerCase()}@${suffix}`,
    symbol,
    kind: def.kind,
    ...(def.periodMs ? { periodMs: def.periodMs } : {}),
  };
}

/** Depth cadences a market serves (for per-cadence aggregation). */
export function depthPeriods(market: Market): number[] {
  return [
    ...new Set(
      Object.values(SUFFIXES[market])
        .filter((d) => d.kind === 'depth')
        .map((d) => d.periodMs!),
    ),
  ];
}

export function depthStreamNames(market: Market, symbol: string, periodMs: number): string[] {
  return Object.entries(SUFFIXES[market])
    .filter(([, d]) => d.kind === 'depth' && d.periodMs === periodMs)
    .map(([s]) => `${symbol.toLowerCase()}@${s}`);
}

export function markPriceStreamNames(symbol: string, periodMs: number): string[] {
  return Object.entries(SUFFIXES.perp)
    .filter(([, d]) => d.kind === 'markPrice' && d.periodMs === periodMs)
    .map(([s]) => `${symbol.toLowerCase()}@${s}`);
}
