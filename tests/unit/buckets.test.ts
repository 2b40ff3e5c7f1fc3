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

  it("the server's bucket expression names only the boundaries inside the range it reads", () => {
    const bounds = [0, 10, 20, 30, 40].map((n) => n * 86_400_000);
    const day = (n: number) => new Date(n * 86_400_000);
    expect(bucketIndexExpr('createdAt', bounds, { from: day(12), to: day(18) })).toEqual({ $literal: 1 });
    expect(bucketIndexExpr('createdAt', bounds, { from: day(15), to: day(40) })).toEqual({
      $add: [1, { $size: { $filter: { input: [day(20), day(30)], cond: { $lte: ['$$this', '$createdAt'] } } } }],
    });
  });
});
