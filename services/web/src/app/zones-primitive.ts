import type { IPrimitivePaneRenderer, IPrimitivePaneView, ISeriesApi, ISeriesPrimitive, SeriesAttachedParameter, SeriesType, Time } from 'lightweight-charts';
import { zoneRects, type Zone } from './level-zones.js';
import { withAlpha, type Palette } from './theme.js';

type CanvasRenderingTarget2D = Parameters<IPrimitivePaneRenderer['draw']>[0];

/**
 * Draws the level zones as horizontal bands across the price pane, behind the candles, each with its score
 * label at the right edge: green below the price (support), red above (resistance).
 */
export class ZonesPrimitive implements ISeriesPrimitive<Time> {
  private zones: readonly Zone[] = [];
  private series: ISeriesApi<SeriesType, Time> | undefined;
  private requestUpdate: (() => void) | undefined;
  private readonly views: readonly IPrimitivePaneView[];

  constructor(private palette: Palette) {
    const renderer: IPrimitivePaneRenderer = {
      draw: () => undefined,
      drawBackground: (target) => this.draw(target),
    };
    this.views = [{ zOrder: () => 'bottom', renderer: () => renderer }];
  }

  attached(param: SeriesAttachedParameter<Time>): void {
    this.series = param.series;
    this.requestUpdate = param.requestUpdate;
  }

  detached(): void {
    this.series = undefined;
    this.requestUpdate = undefined;
  }

  paneViews(): readonly IPrimitivePaneView[] {
    return this.views;
  }

  setZones(zones: readonly Zone[]): void {
    this.zones = zones;
    this.requestUpdate?.();
  }

  setPalette(palette: Palette): void {
    this.palette = palette;
    this.requestUpdate?.();
  }

  private draw(target: CanvasRenderingTarget2D): void {
    const series = this.series;
    if (!series || this.zones.length === 0) return;
    target.useMediaCoordinateSpace(({ context: ctx, mediaSize }) => {
      const rects = zoneRects(this.zones, (p) => series.priceToCoordinate(p), mediaSize.height);
      ctx.font = '11px system-ui, sans-serif';
      ctx.textBaseline = 'middle';
      ctx.textAlign = 'right';
      for (const r of rects) {
        const color = r.zone.side === 'support' ? this.palette.support : this.palette.resistance;
        ctx.fillStyle = withAlpha(color, r.alpha);
        ctx.fillRect(0, r.top, mediaSize.width, r.height);
        ctx.fillStyle = withAlpha(color, 0.9);
        ctx.fillRect(0, r.lineY - 0.5, mediaSize.width, 1);
        ctx.fillText(r.zone.label, mediaSize.width - 6, r.lineY - 7);
      }
    });
  }
}
