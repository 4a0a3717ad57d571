import { MARKETS, instrumentKey } from '@pricelevel/contracts';

export interface InstrumentRef {
  exchange: string;
  market: string;
  symbol: string;
}

/** Why a request was refused: the caller sent something malformed, or asked for what is not collected. */
export interface RequestProblem {
  kind: 'invalid' | 'not_found';
  message: string;
}

export const EXCHANGE_RE = /^[a-z][a-z0-9_-]{0,31}$/;
const SYMBOL_RE = /^[A-Z0-9][A-Z0-9._-]{0,39}$/;

/** Format checks only: is this something an instrument could be? */
export function checkInstrumentFormat(ref: InstrumentRef): RequestProblem | undefined {
  if (!ref.exchange) return invalid('exchange is required (e.g. "binance")');
  if (!EXCHANGE_RE.test(ref.exchange)) return invalid(`exchange ${JSON.stringify(ref.exchange)} is malformed: lower-case letters, digits, _ or -`);
  if (!ref.market) return invalid(`market is required: one of ${MARKETS.join(', ')}`);
  if (!(MARKETS as readonly string[]).includes(ref.market)) {
    return invalid(`market ${JSON.stringify(ref.market)} is unknown: one of ${MARKETS.join(', ')}`);
  }
  if (!ref.symbol) return invalid('symbol is required (e.g. "BTCUSDT")');
  if (!SYMBOL_RE.test(ref.symbol)) {
    return invalid(`symbol ${JSON.stringify(ref.symbol)} is malformed: upper-case letters and digits, e.g. "BTCUSDT"`);
  }
  return undefined;
}

/** The instruments this deployment collects; anything else is NOT_FOUND. */
export class InstrumentCatalog {
  private readonly keys: Set<string>;

  constructor(readonly instruments: readonly InstrumentRef[]) {
    this.keys = new Set(instruments.map(instrumentKey));
  }

  has(ref: InstrumentRef): boolean {
    return this.keys.has(instrumentKey(ref));
  }

  /** Format first (INVALID_ARGUMENT), then membership (NOT_FOUND). */
  check(ref: InstrumentRef): RequestProblem | undefined {
    const bad = checkInstrumentFormat(ref);
    if (bad) return bad;
    if (!this.has(ref)) return { kind: 'not_found', message: `instrument ${instrumentKey(ref)} is not collected by this system` };
    return undefined;
  }
}

export function invalid(message: string): RequestProblem {
  return { kind: 'invalid', message };
}
