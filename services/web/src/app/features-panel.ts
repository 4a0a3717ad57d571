import { ColorType, createChart, HistogramSeries, LineSeries, type IChartApi, type ISeriesApi, type UTCTimestamp } from 'lightweight-charts';
import { chartTime } from './candles.js';
import { FEATURE_SERIES, formatValue, pointOf, pushPoint, type FeaturePoint, type FeatureSeriesDef } from './feature-series.js';
import type { Json } from './json-fields.js';
import { withAlpha, type Palette } from './theme.js';

/** Seconds of history each small chart keeps. */
const WINDOW = 300;

interface Line {
  field: string;
  color: 'up' | 'down' | 'accent';
  series: ISeriesApi<'Line'> | ISeriesApi<'Histogram'>;
  points: FeaturePoint[];
}

interface Panel {
  def: FeatureSeriesDef;
  chart: IChartApi;
  lines: Line[];
  value: HTMLElement;
}

/** The features panel: one small live chart per FEATURE_SERIES entry, fed by the `features:` channel. */
export class FeaturesPanel {
  private readonly panels: Panel[] = [];
  private palette: Palette;

  constructor(container: HTMLElement, palette: Palette) {
    this.palette = palette;
    for (const def of FEATURE_SERIES) {
      const box = document.createElement('section');
      box.className = 'feature';
      box.dataset.feature = def.id;
      const head = document.createElement('header');
      const title = document.createElement('span');
      title.textContent = def.title;
      const value = document.createElement('span');
      value.className = 'feature-value';
      value.textContent = '—';
      head.append(title, value);
      const host = document.createElement('div');
      host.className = 'feature-chart';
      box.append(head, host);
      container.append(box);
      const chart = createChart(host, {
        autoSize: true,
        handleScroll: false,
        handleScale: false,
        rightPriceScale: { scaleMargins: { top: 0.1, bottom: 0.1 } },
        timeScale: { timeVisible: true, secondsVisible: true, visible: false },
        crosshair: { horzLine: { visible: false }, vertLine: { labelVisible: false } },
      });
      const lines = def.lines.map((l) => ({
        field: l.field,
        color: l.color,
        points: [],
        series:
          def.style === 'histogram'
            ? chart.addSeries(HistogramSeries, { priceLineVisible: false, lastValueVisible: false })
            : chart.addSeries(LineSeries, { lineWidth: 1, priceLineVisible: false, lastValueVisible: false }),
      }));
      this.panels.push({ def, chart, lines, value });
    }
    this.applyPalette(palette);
  }

  applyPalette(p: Palette): void {
    this.palette = p;
    for (const panel of this.panels) {
      panel.chart.applyOptions({
        layout: { background: { type: ColorType.Solid, color: p.background }, textColor: p.text, fontSize: 10, attributionLogo: false },
        grid: { vertLines: { visible: false }, horzLines: { color: p.grid } },
        rightPriceScale: { borderColor: p.border },
      });
      for (const line of panel.lines) {
        if (panel.def.style === 'line') line.series.applyOptions({ color: p[line.color] });
        else line.series.setData(line.points.map((pt) => this.histogramPoint(pt)));
      }
    }
  }

  /** Replaces everything with stored history (GetFeatures): book features and 1 s order flow, oldest first. */
  setHistory(book: readonly Json[], flow: readonly Json[]): void {
    for (const panel of this.panels) {
      const rows = panel.def.source === 'features' ? book : flow;
      for (const line of panel.lines) {
        line.points = [];
        for (const row of rows) pushPoint(line.points, pointOf(panel.def.source, row, line.field), WINDOW);
        line.series.setData(line.points.map((pt) => this.seriesPoint(panel.def, pt)));
      }
      this.showValue(panel);
    }
  }

  /** A live `features` or `flow` message's data. */
  push(source: 'features' | 'flow', data: Json): void {
    for (const panel of this.panels) {
      if (panel.def.source !== source) continue;
      for (const line of panel.lines) {
        const pt = pointOf(source, data, line.field);
        const done = pushPoint(line.points, pt, WINDOW);
        if (done !== 'ignored') line.series.update(this.seriesPoint(panel.def, pt));
      }
      this.showValue(panel);
    }
  }

  /** Points held per chart (the largest), for tests. */
  pointCount(): number {
    return Math.max(0, ...this.panels.flatMap((p) => p.lines.map((l) => l.points.length)));
  }

  private showValue(panel: Panel): void {
    const text = panel.lines.map((l) => formatValue(l.points.at(-1)?.value ?? null)).join(' / ');
    panel.value.textContent = text;
  }

  private seriesPoint(def: FeatureSeriesDef, pt: FeaturePoint) {
    return def.style === 'histogram' ? this.histogramPoint(pt) : pt.value === null ? { time: t(pt) } : { time: t(pt), value: pt.value };
  }

  private histogramPoint(pt: FeaturePoint) {
    if (pt.value === null) return { time: t(pt) };
    return { time: t(pt), value: pt.value, color: withAlpha(pt.value >= 0 ? this.palette.up : this.palette.down, 0.8) };
  }
}

function t(pt: FeaturePoint): UTCTimestamp {
  return chartTime(pt.ts) as UTCTimestamp;
}
