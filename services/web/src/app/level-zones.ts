import { arr, num, obj, str, type Json } from './json-fields.js';

export type ZoneSide = 'support' | 'resistance';

/** One level as a band on the chart. */
export interface Zone {
  id: string;
  low: number;
  high: number;
  price: number;
  side: ZoneSide;
  score: number;
  /** e.g. "S 0.82 · 1d 4h" */
  label: string;
}

export interface LevelSetView {
  version: number;
  currentPrice: number;
  zones: Zone[];
}

/**
 * A level set (WebSocket `levels` data or a GetLevels response) as zones: each level's band zoneLow..zoneHigh
 * (its price alone when the set carries no zone), support below and resistance above, by its `kind`, or by
 * its side of the current price when the kind is unspecified.
 */
export function levelSetView(set: Json): LevelSetView {
  const currentPrice = num(set, 'currentPrice');
  const zones: Zone[] = [];
  for (const raw of arr(set, 'levels')) {
    const level = obj(raw);
    if (level) zones.push(levelZone(level, currentPrice));
  }
  return { version: num(set, 'version'), currentPrice, zones };
}

export function levelZone(level: Json, currentPrice: number): Zone {
  const price = num(level, 'price');
  let low = num(level, 'zoneLow');
  let high = num(level, 'zoneHigh');
  if (low === 0 && high === 0) low = high = price;
  if (low > high) [low, high] = [high, low];
  const kind = str(level, 'kind');
  const side: ZoneSide =
    kind === 'LEVEL_KIND_SUPPORT' ? 'support' : kind === 'LEVEL_KIND_RESISTANCE' ? 'resistance' : price <= currentPrice ? 'support' : 'resistance';
  const score = num(level, 'score');
  const timeframes = arr(level, 'timeframes').filter((t): t is string => typeof t === 'string');
  const label = `${side === 'support' ? 'S' : 'R'} ${score.toFixed(2)}${timeframes.length ? ` · ${timeframes.join(' ')}` : ''}`;
  return { id: str(level, 'id') || `${price}`, low, high, price, side, score, label };
}

/** A zone in pixels: the band's top and height (at least one pixel), and where its label goes. */
export interface ZoneRect {
  zone: Zone;
  top: number;
  height: number;
  /** Fill opacity, stronger for a better score (0.08 … 0.32), halved for a band taller than half the pane. */
  alpha: number;
  /** Where the price line and label go: the level's price, kept inside the visible part of the band. */
  lineY: number;
}

/**
 * Pixel rectangles of the zones visible in a pane `paneHeight` high, given the series' price → y mapping
 * (null when a price has no coordinate yet). Bands wholly outside the pane are left out.
 */
export function zoneRects(zones: readonly Zone[], toY: (price: number) => number | null, paneHeight: number): ZoneRect[] {
  const out: ZoneRect[] = [];
  for (const zone of zones) {
    const yHigh = toY(zone.high);
    const yLow = toY(zone.low);
    if (yHigh === null || yLow === null) continue;
    const top = Math.min(yHigh, yLow);
    const bottom = Math.max(yHigh, yLow);
    if (bottom < 0 || top > paneHeight) continue;
    const score = Math.min(Math.max(zone.score, 0), 1);
    const height = Math.max(bottom - top, 1);
    const priceY = toY(zone.price) ?? (top + bottom) / 2;
    const lineY = Math.min(Math.max(priceY, Math.max(top, 0) + 8), Math.min(bottom, paneHeight) - 8);
    out.push({ zone, top, height, alpha: (0.08 + 0.24 * score) * (height > paneHeight / 2 ? 0.5 : 1), lineY: height < 16 ? top + height / 2 : lineY });
  }
  return out;
}
