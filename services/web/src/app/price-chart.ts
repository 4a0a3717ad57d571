import {
  CandlestickSeries, ColorType, createChart, createSeriesMarkers, CrosshairMode, HistogramSeries, type IChartApi, type ISeriesApi,
  type ISeriesMarkersPluginApi, type LogicalRange, type SeriesMarker, type Time, type UTCTimestamp,
} from 'lightweight-charts';
import { chartTime, type ChartCandle } from './candles.js';
import type { Zone } from './level-zones.js';
import type { QualityMarker } from './quality-markers.js';
import { withAlpha, type Palette } from './theme.js';
import { ZonesPrimitive } from './zones-primitive.js';

/** Candles with a volume histogram below, level zones behind them, quality markers above. */
export class PriceChart {
  private readonly chart: IChartApi;
  private readonly candles: ISeriesApi<'Candlestick'>;
  private readonly volume: ISeriesApi<'Histogram'>;
  private readonly zones: ZonesPrimitive;
  private readonly markers: ISeriesMarkersPluginApi<Time>;
  private palette: Palette;

  constructor(container: HTMLElement, palette: Palette) {
    this.palette = palette;
    this.chart = createChart(container, { autoSize: true, crosshair: { mode: CrosshairMode.Normal }, timeScale: { timeVisible: true, secondsVisible: false } });
    this.candles = this.chart.addSeries(CandlestickSeries, { priceLineVisible: true });
    this.volume = this.chart.addSeries(HistogramSeries, { priceFormat: { type: 'volume' }, priceScaleId: 'volume', lastValueVisible: false, priceLineVisible: false });
    this.volume.priceScale().applyOptions({ scaleMargins: { top: 0.82, bottom: 0 } });
    this.candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.22 } });
    this.zones = new ZonesPrimitive(palette);
    this.candles.attachPrimitive(this.zones);
    this.markers = createSeriesMarkers(this.candles, []);
    this.applyPalette(palette);
  }

  applyPalette(p: Palette): void {
    this.palette = p;
    this.chart.applyOptions({
      layout: { background: { type: ColorType.Solid, color: p.background }, textColor: p.text, attributionLogo: false },
      grid: { vertLines: { color: p.grid }, horzLines: { color: p.grid } },
      rightPriceScale: { borderColor: p.border },
      timeScale: { borderColor: p.border },
    });
    this.candles.applyOptions({ upColor: p.up, downColor: p.down, borderUpColor: p.up, borderDownColor: p.down, wickUpColor: p.up, wickDownColor: p.down });
    this.zones.setPalette(p);
  }

  /** Replaces every candle (history loaded, instrument or interval changed). */
  setCandles(candles: readonly ChartCandle[]): void {
    this.candles.setData(candles.map(bar));
    this.volume.setData(candles.map((c) => this.volumeBar(c)));
  }

  /** Updates the last candle or appends a new one. */
  updateLast(c: ChartCandle): void {
    this.candles.update(bar(c));
    this.volume.update(this.volumeBar(c));
  }

  setZones(zones: readonly Zone[]): void {
    this.zones.setZones(zones);
  }

  setMarkers(markers: readonly QualityMarker[]): void {
    const m: SeriesMarker<Time>[] = markers.map((q) => ({
      time: chartTime(q.openTime) as UTCTimestamp,
      position: 'aboveBar',
      shape: q.severity === 'reconnect' ? 'circle' : 'arrowDown',
      color: this.palette.marker[q.severity],
      text: q.text,
      size: 0.8,
    }));
    this.markers.setMarkers(m);
  }

  /** Calls back when the left edge of the view comes within `margin` bars of the oldest candle. */
  onNearLeftEdge(margin: number, cb: () => void): void {
    this.chart.timeScale().subscribeVisibleLogicalRangeChange((range: LogicalRange | null) => {
      if (range && range.from < margin) cb();
    });
  }

  /**
   * Shows the newest candles: all of them up to `maxBars`, but at least a 40-bar wide window, so a few
   * candles (a fresh start) keep a sensible width, with room on the left.
   */
  showLatest(count: number, maxBars: number): void {
    const bars = Math.min(Math.max(count, 40), maxBars);
    this.chart.timeScale().setVisibleLogicalRange({ from: count - bars, to: count + 3 });
  }

  /** Scrolls left (for tests and the keyboard): by `bars` candles. */
  scrollBy(bars: number): void {
    const ts = this.chart.timeScale();
    ts.scrollToPosition(ts.scrollPosition() - bars, false);
  }

  private volumeBar(c: ChartCandle) {
    return { time: chartTime(c.openTime) as UTCTimestamp, value: c.volume, color: withAlpha(c.close >= c.open ? this.palette.up : this.palette.down, 0.45) };
  }
}

function bar(c: ChartCandle) {
  return { time: chartTime(c.openTime) as UTCTimestamp, open: c.open, high: c.high, low: c.low, close: c.close };
}
