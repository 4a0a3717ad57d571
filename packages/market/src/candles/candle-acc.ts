/**
 * Folds 1m candles into one higher-timeframe candle. Shared by the builder's roll-ups and `rollUp`.
 * Empty minutes (trade count 0, the flat fillers) add nothing to OHLC: a window whose first minutes
 * are empty opens at its first trade, exactly like folding its trades directly. A window with no
 * trade at all is flat at the price of its first (flat) minute.
 */
export class CandleAcc {
  minutes = 0;
  hasTrades = false;
  flatPrice = NaN;
  open = NaN;
  high = NaN;
  low = NaN;
  close = NaN;
  volume = 0;
  quoteVolume = 0;
  buyVolume = 0;
  buyQuoteVolume = 0;
  tradeCount = 0;

  reset(): void {
    this.minutes = 0;
    this.hasTrades = false;
    this.flatPrice = this.open = this.high = this.low = this.close = NaN;
    this.volume = this.quoteVolume = this.buyVolume = this.buyQuoteVolume = this.tradeCount = 0;
  }

  /** Minutes must be added in time order. */
  add(
    o: number,
    h: number,
    l: number,
    c: number,
    v: number,
    qv: number,
    bv: number,
    bqv: number,
    n: number,
  ): void {
    if (this.minutes++ === 0) this.flatPrice = o;
    if (n > 0) {
      if (!this.hasTrades) {
        this.hasTrades = true;
        this.open = o;
        this.high = h;
        this.low = l;
      } else {
        if (h > this.high) this.high = h;
        if (l < this.low) this.low = l;
      }
      this.close = c;
    }
    this.volume += v;
    this.quoteVolume += qv;
    this.buyVolume += bv;
    this.buyQuoteVolume += bqv;
    this.tradeCount += n;
  }

  /** Call after the last add: fills OHLC of an all-flat window. */
  finish(): void {
    if (!this.hasTrades) this.open = this.high = this.low = this.close = this.flatPrice;
  }
}
