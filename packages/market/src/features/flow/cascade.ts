import { CASCADE_END_FRACTION, CASCADE_HALF_LIFE_S } from './flow-options.js';

export interface CascadeState {
  intensity: number;
  exhaustion: number;
}

/**
 * Liquidation cascades as a self-exciting flow (Hawkes 1971; Bacry, Mastromatteo & Muzy 2015, "Hawkes
 * processes in finance"): liquidation and traded notional each decay exponentially (half-life
 * CASCADE_HALF_LIFE_S) and the intensity is their ratio, the share of recent turnover that was forced.
 * A cascade starts with a second that has liquidations and lasts while the intensity stays above
 * CASCADE_END_FRACTION of its peak; exhaustion = 1 − intensity / peak within it, NaN outside one.
 */
export class CascadeTracker {
  private liquidated = 0;
  private traded = 0;
  private lastSecond = NaN;
  private peak = 0;
  private active = false;

  step(second: number, liquidatedNotional: number, tradedNotional: number): CascadeState {
    if (!Number.isNaN(this.lastSecond)) {
      const decay = Math.pow(2, -(second - this.lastSecond) / CASCADE_HALF_LIFE_S);
      this.liquidated *= decay;
      this.traded *= decay;
    }
    this.lastSecond = second;
    this.liquidated += liquidatedNotional;
    this.traded += tradedNotional;
    const intensity = this.traded > 0 ? this.liquidated / this.traded : this.liquidated > 0 ? NaN : 0;
    if (liquidatedNotional > 0 && !this.active) {
      this.active = true;
      this.peak = 0;
    }
    if (!this.active || Number.isNaN(intensity)) return { intensity, exhaustion: NaN };
    if (intensity > this.peak) this.peak = intensity;
    const exhaustion = this.peak > 0 ? 1 - intensity / this.peak : 0;
    if (exhaustion >= 1 - CASCADE_END_FRACTION) this.active = false;
    return { intensity, exhaustion };
  }
}
