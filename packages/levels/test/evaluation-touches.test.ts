import { describe, expect, it } from 'vitest';
import { emptyCounts, scanZone } from '../src/evaluation/touches.js';
import { barsOf } from './evaluation-fixtures.js';

/**
 * Zone [100, 102] (width 2), multiple 1: a bounce from above needs a high ≥ 104, from below a low ≤ 98;
 * a break is a close beyond the far side. Outcomes worked out by hand per bar.
 */
const series = barsOf([
  [111, 109, 110], // 0  state: above
  [111, 105, 106], // 1  no touch
  [106, 101, 103], // 2  touch from above (low 101 ≤ 102); close 103 < 104 so not yet a bounce
  [105, 102.5, 104], // 3  high 105 ≥ 104: bounce
  [104.5, 101.5, 101], // 4  touch from above (prev close 104); close inside
  [101.5, 99, 99.5], // 5  close 99.5 < 100: break
  [99.8, 97, 97.5], // 6  below, high 99.8 < 100: no touch
  [100.5, 97, 97.2], // 7  touch from below, closes at 97.2 ≤ 98 on the touch bar: bounce
  [99, 96, 98.5], // 8  no touch
  [101, 98, 100.5], // 9  touch from below, close inside
  [101.5, 100, 101], // 10 inside
  [101.8, 100.2, 101.2], // 11 still inside: horizon 2 ends here, unresolved
  [103, 101, 102.5], // 12 previous close inside the zone: not a touch; closes above
  [102.6, 101.9, 102.4], // 13 touch from above
  [103.5, 102.2, 103], // 14
  [104.2, 102.5, 104], // 15 high 104.2 ≥ 104: bounce
]);

describe('scanZone', () => {
  it('counts touches, bounces, breaks and unresolved touches as worked out by hand', () => {
    const c = emptyCounts();
    scanZone(series, 100, 102, 1, 13, 2, 1, c);
    expect(c).toEqual({ touches: 5, bounces: 3, breaks: 1 });
  });

  it('only counts touches whose bar is in the window, resolving them past it', () => {
    const c = emptyCounts();
    scanZone(series, 100, 102, 1, 2, 2, 1, c); // the touch at 2 resolves at 3, outside the window
    expect(c).toEqual({ touches: 1, bounces: 1, breaks: 0 });
    const later = emptyCounts();
    scanZone(series, 100, 102, 3, 6, 2, 1, later); // state from bar 2's close (inside): bar 3 is no touch
    expect(later).toEqual({ touches: 1, bounces: 0, breaks: 1 });
  });

  it('a larger bounce multiple leaves touches unresolved, and unresolved touches hide later ones', () => {
    // Needs a high ≥ 108 / low ≤ 94. Touch at 2 runs unresolved to 4 (close inside), so 5 is no touch;
    // touch at 7 runs to 9 (close inside), 10-12 start inside; touch at 13 runs to 15.
    const c = emptyCounts();
    scanZone(series, 100, 102, 1, 13, 2, 3, c);
    expect(c).toEqual({ touches: 3, bounces: 0, breaks: 0 });
  });

  it('a bar gapping through the zone is a touch and a break; a bar doing both counts as a break', () => {
    const gap = barsOf([[111, 109, 110], [109, 95, 96], [97, 95, 96]]);
    const c = emptyCounts();
    scanZone(gap, 100, 102, 1, 1, 1, 1, c);
    expect(c).toEqual({ touches: 1, bounces: 0, breaks: 1 });
    const both = barsOf([[111, 109, 110], [106, 101, 103], [106, 99, 99.5], [99, 98, 98.5]]);
    const d = emptyCounts();
    scanZone(both, 100, 102, 1, 1, 2, 1, d);
    expect(d).toEqual({ touches: 1, bounces: 0, breaks: 1 });
  });
});
