import type { Bar } from '../bars.js';

/** Running touch counts of one or more zones. */
export interface TouchCounts {
  touches: number;
  bounces: number;
  breaks: number;
}

export const emptyCounts = (): TouchCounts => ({ touches: 0, bounces: 0, breaks: 0 });

/**
 * Touches of the zone [low, high] by bars first..last (indices into `bars`), added to `out`.
 *
 * The side price is on comes from the previous bar's close (bar first − 1 for the first one). A touch is
 * a bar that enters the zone from outside: from above when its low reaches `high`, from below when its
 * high reaches `low`; a bar whose close is inside the zone only sets the side to "inside", so price
 * sitting in a zone is not a touch until it has closed outside again. The touch then resolves within
 * `horizon` bars after the touch bar, bar by bar:
 * - break: a close beyond the far side of the zone (checked first: a bar doing both counts as a break);
 * - bounce: price reaches `multiple` zone widths beyond the near side (on the touch bar itself only
 *   its close counts, since its high or low before the touch was the approach);
 * - otherwise unresolved (a touch, neither bounce nor break).
 * No new touch starts while one is resolving. The caller guarantees last + horizon < bars.length.
 */
export function scanZone(
  bars: readonly Bar[], low: number, high: number, first: number, last: number, horizon: number, multiple: number, out: TouchCounts,
): void {
  const reach = multiple * (high - low);
  const up = high + reach;
  const down = low - reach;
  let prev = bars[first - 1]!.close;
  let j = first;
  while (j <= last) {
    const bar = bars[j]!;
    const side = prev > high ? 1 : prev < low ? -1 : 0;
    if (side === 0 || (side === 1 ? bar.low > high : bar.high < low)) {
      prev = bar.close;
      j += 1;
      continue;
    }
    out.touches += 1;
    const stop = j + horizon;
    let k = j;
    for (; k <= stop; k++) {
      const b = bars[k]!;
      if (side === 1) {
        if (b.close < low) {
          out.breaks += 1;
          break;
        }
        if ((k === j ? b.close : b.high) >= up) {
          out.bounces += 1;
          break;
        }
      } else {
        if (b.close > high) {
          out.breaks += 1;
          break;
        }
        if ((k === j ? b.close : b.low) <= down) {
          out.bounces += 1;
          break;
        }
      }
    }
    const end = Math.min(k, stop);
    prev = bars[end]!.close;
    j = end + 1;
  }
}
