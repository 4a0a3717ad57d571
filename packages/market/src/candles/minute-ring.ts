const MINUTE = 60_000;

/**
 * Closed 1m candles of one instrument, struct-of-arrays in a ring indexed by minute number, so late
 * trades can correct them and roll-ups can be recomputed without allocating. A slot is valid only
 * when its stored openTime equals the minute asked for (older minutes are overwritten in place).
 */
export class MinuteRing {
  readonly openTime: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  readonly quoteVolume: Float64Array;
  readonly buyVolume: Float64Array;
  readonly buyQuoteVolume: Float64Array;
  readonly tradeCount: Float64Array;
  readonly version: Float64Array;

  constructor(readonly capacity: number) {
    this.openTime = new Float64Array(capacity).fill(NaN);
    this.open = new Float64Array(capacity);
    this.high = new Float64Array(capacity);
    this.low = new Float64Array(capacity);
    this.close = new Float64Array(capacity);
    this.volume = new Float64Array(capacity);
    this.quoteVolume = new Float64Array(capacity);
    this.buyVolume = new Float64Array(capacity);
    this.buyQuoteVolume = new Float64Array(capacity);
    this.tradeCount = new Float64Array(capacity);
    this.version = new Float64Array(capacity);
  }

  slotOf(openTime: number): number {
    return (openTime / MINUTE) % this.capacity;
  }

  /** Slot holding this minute, or -1 when it was never stored or has been overwritten. */
  find(openTime: number): number {
    const i = this.slotOf(openTime);
    return this.openTime[i] === openTime ? i : -1;
  }

  /** Claims the slot for a minute and writes a flat candle at `price` (version untouched if kept). */
  put(openTime: number, price: number, version: number): number {
    const i = this.slotOf(openTime);
    this.openTime[i] = openTime;
    this.setFlat(i, price);
    this.version[i] = version;
    return i;
  }

  setFlat(i: number, price: number): void {
    this.open[i] = this.high[i] = this.low[i] = this.close[i] = price;
    this.volume[i] =
      this.quoteVolume[i] =
      this.buyVolume[i] =
      this.buyQuoteVolume[i] =
      this.tradeCount[i] =
        0;
  }
}

/** Ring of versions of higher-timeframe candles, keyed by window start. */
export class VersionRing {
  private readonly keys: Float64Array;
  private readonly versions: Float64Array;

  constructor(
    private readonly intervalMs: number,
    private readonly capacity: number,
  ) {
    this.keys = new Float64Array(capacity).fill(NaN);
    this.versions = new Float64Array(capacity);
  }

  get(windowStart: number): number {
    const i = (windowStart / this.intervalMs) % this.capacity;
    return this.keys[i] === windowStart ? (this.versions[i] ?? 0) : 0;
  }

  /** Increments and returns the window's version (1 for its first emission). */
  bump(windowStart: number): number {
    const i = (windowStart / this.intervalMs) % this.capacity;
    const v = this.keys[i] === windowStart ? (this.versions[i] ?? 0) + 1 : 1;
    this.keys[i] = windowStart;
    this.versions[i] = v;
    return v;
  }
}
