// The bench's leak check: growth as a least-squares trend, robust to one sample taken before a GC.
import { describe, expect, it } from 'vitest';
import { trendOver } from '../../../loadtest/bench/measure.js';

describe('trendOver', () => {
  it('recovers a steady growth exactly', () => {
    const points = [0, 10, 20, 30, 40, 50].map((x) => ({ x, y: 100 + x * 0.2 }));
    expect(trendOver(points, 50)).toBeCloseTo(10, 9);
  });

  it('stays near zero for a flat series whose last sample caught garbage not yet collected', () => {
    const ys = [140, 138, 141, 139, 140, 138, 141, 139, 140, 139, 147];
    const points = ys.map((y, i) => ({ x: i * 5000, y }));
    const trend = trendOver(points, 50_000)!;
    expect(Math.abs(trend)).toBeLessThan(5);
    expect(ys.at(-1)! - ys[0]!).toBeGreaterThan(5); // what the two end points alone would say
  });

  it('needs at least three points with distinct x', () => {
    expect(
      trendOver(
        [
          { x: 1, y: 1 },
          { x: 2, y: 2 },
        ],
        10,
      ),
    ).toBeUndefined();
    expect(
      trendOver(
        [1, 2, 3].map((y) => ({ x: 7, y })),
        10,
      ),
    ).toBeUndefined();
  });
});
