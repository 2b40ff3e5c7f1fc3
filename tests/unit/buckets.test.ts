import { describe, expect, it } from 'vitest';
import { bucketBounds, bucketIndexExpr, bucketOf, bucketStarts, isTimeZone } from '../../src/stats/buckets.js';

const at = (iso: string) => new Date(iso);
const iso = (dates: Date[] | null) => dates?.map((date) => date.toISOString());

describe('time series buckets', () => {
  it('UTC days start at midnight, the first at or before from, the last before to', () => {
    const starts = bucketStarts({ from: at('2026-03-01T10:00:00Z'), to: at('2026-03-04T00:00:00Z') }, 'day', 'UTC');
    expect(iso(starts)).toEqual(['2026-03-01T00:00:00.000Z', '2026-03-02T00:00:00.000Z', '2026-03-03T00:00:00.000Z']);
  });

  it("New York's spring-forward day is 23 hours and its fall-back day 25", () => {
    const spring = bucketStarts({ from: at('2026-03-07T12:00:00Z'), to: at('2026-03-10T00:00:00Z') }, 'day', 'America/New_York') ?? [];
    expect(iso(spring)).toEqual(['2026-03-07T05:00:00.000Z', '2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z']);
    expect((spring[2] as Date).getTime() - (spring[1] as Date).getTime()).toBe(23 * 3_600_000);
    const fall = bucketStarts({ from: at('2026-11-01T12:00:00Z'), to: at('2026-11-03T00:00:00Z') }, 'day', 'America/New_York') ?? [];
    expect((fall[1] as Date).getTime() - (fall[0] as Date).getTime()).toBe(25 * 3_600_000);
  });

  it('weeks start on Monday (ISO) and months on the 1st, in the zone', () => {
    expect(iso(bucketStarts({ from: at('2026-12-02T12:00:00Z'), to: at('2026-12-08T00:00:00Z') }, 'week', 'Asia/Kolkata'))).toEqual([
      '2026-11-29T18:30:00.000Z',
      '2026-12-06T18:30:00.000Z',
    ]);
    expect(iso(bucketStarts({ from: at('2026-01-31T23:30:00Z'), to: at('2026-03-01T00:00:00Z') }, 'month', 'Europe/Berlin'))).toEqual([
      '2026-01-31T23:00:00.000Z',
      '2026-02-28T23:00:00.000Z',
    ]);
  });

  it('refuses past the bucket limit, and knows IANA names from typos', () => {
    expect(bucketStarts({ from: at('2024-01-01T00:00:00Z'), to: at('2026-01-02T00:00:00Z') }, 'day', 'UTC')).toBeNull();
    expect(bucketStarts({ from: at('2024-01-01T00:00:00Z'), to: at('2026-01-02T00:00:00Z') }, 'week', 'UTC')).toHaveLength(105);
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Europe/Berln')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });

  it('bounds clip the first and last bucket to the window, and bucketOf finds each instant its bucket', () => {
    const window = { from: at('2026-03-01T10:00:00Z'), to: at('2026-03-03T06:00:00Z') };
    const bounds = bucketBounds(bucketStarts(window, 'day', 'UTC') ?? [], window);
    expect(bounds.map((ms) => new Date(ms).toISOString())).toEqual([
      '2026-03-01T10:00:00.000Z',
      '2026-03-02T00:00:00.000Z',
      '2026-03-03T00:00:00.000Z',
      '2026-03-03T06:00:00.000Z',
    ]);
    expect(
      [window.from, at('2026-03-01T23:59:59.999Z'), at('2026-03-02T00:00:00Z'), at('2026-03-03T05:00:00Z')].map((d) => bucketOf(bounds, d.getTime())),
    ).toEqual([0, 0, 1, 2]);
  });

  it("the server's bucket expression puts every instant in the bucket bucketOf names, with only the boundaries inside the range it reads", () => {
    type Expr = number | { $literal: number } | { $cond: [{ $lt: [string, Date] }, Expr, Expr] };
    const evaluate = (expr: Expr, at: Date): number => {
      if (typeof expr === 'number') return expr;
      if ('$literal' in expr) return expr.$literal;
      const [{ $lt }, below, above] = expr.$cond;
      expect($lt[0]).toBe('$createdAt');
      return evaluate(at < $lt[1] ? below : above, at);
    };
    const depth = (expr: Expr): number => (typeof expr === 'number' || '$literal' in expr ? 0 : 1 + Math.max(depth(expr.$cond[1]), depth(expr.$cond[2])));
    const window = { from: at('2024-01-01T07:00:00Z'), to: at('2026-01-01T00:00:00Z') };
    const bounds = bucketBounds(bucketStarts(window, 'day', 'America/New_York') ?? [], window);
    expect(bounds).toHaveLength(732); // 731 buckets, the most a series may have
    for (const range of [
      window,
      { from: at('2025-03-08T00:00:00Z'), to: at('2025-03-11T00:00:00Z') },
      { from: at('2025-06-01T12:00:00Z'), to: at('2025-06-01T13:00:00Z') },
    ]) {
      const expr = bucketIndexExpr('createdAt', bounds, range) as Expr;
      expect(depth(expr)).toBeLessThanOrEqual(10);
      for (let t = range.from.getTime(); t < range.to.getTime(); t += 3_517_000) expect(evaluate(expr, new Date(t))).toBe(bucketOf(bounds, t));
    }
    expect(bucketIndexExpr('createdAt', bounds, { from: at('2025-06-01T12:00:00Z'), to: at('2025-06-01T13:00:00Z') })).toEqual({
      $literal: bucketOf(bounds, at('2025-06-01T12:00:00Z').getTime()),
    });
  });
});
