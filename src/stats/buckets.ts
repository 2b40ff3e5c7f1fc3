import { tz } from '@date-fns/tz';
import { addDays, addMonths, addWeeks, startOfDay, startOfISOWeek, startOfMonth } from 'date-fns';
import type { Range } from './days.js';

export const INTERVALS = ['day', 'week', 'month'] as const;
export type Interval = (typeof INTERVALS)[number];

/** Most buckets one series may have: two years of days. */
export const MAX_BUCKETS = 731;

const STEP = {
  day: { start: startOfDay, next: addDays },
  week: { start: startOfISOWeek, next: addWeeks },
  month: { start: startOfMonth, next: addMonths },
} as const;

/** True for an IANA time zone name this runtime knows (`Intl` throws a RangeError for any other). */
export const isTimeZone = (name: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
};

/**
 * The starts of the calendar buckets (days, ISO weeks from Monday, months) in `timezone` that
 * [from, to) touches, the first at or before `from`; DST days are 23 or 25 hours long. Null past `max`.
 */
export const bucketStarts = (window: Range, interval: Interval, timezone: string, max = MAX_BUCKETS): Date[] | null => {
  const zone = { in: tz(timezone) };
  const { start, next } = STEP[interval];
  const starts: Date[] = [];
  for (let at = start(window.from, zone); at < window.to; at = next(at, 1, zone)) {
    if (starts.length === max) return null;
    starts.push(new Date(at.getTime()));
  }
  return starts;
};

/** What each bucket counts: its start, clipped to the window at both ends. */
export const bucketBounds = (starts: readonly Date[], window: Range): number[] => [
  window.from.getTime(),
  ...starts.slice(1).map((start) => start.getTime()),
  window.to.getTime(),
];

/** The index of the bucket holding `at` among `bounds` (at in [bounds[0], bounds.at(-1))). */
export const bucketOf = (bounds: readonly number[], at: number): number =>
  Math.max(
    0,
    bounds.findLastIndex((start, i) => i < bounds.length - 1 && start <= at),
  );

/** A balanced tree of comparisons: the bucket of a value is `first` plus how many of `points` it has reached. */
const reachedTree = (field: string, points: readonly number[], first: number): unknown => {
  if (points.length === 0) return first;
  const mid = points.length >> 1;
  const below = { $lt: [`$${field}`, new Date(points[mid] as number)] };
  return { $cond: [below, reachedTree(field, points.slice(0, mid), first), reachedTree(field, points.slice(mid + 1), first + mid + 1)] };
};

/**
 * A MongoDB expression giving the bucket index of `field`, from the boundaries inside `range`: the
 * same boundaries the zero-filled buckets are made from, so no time zone rules run on the server.
 * A balanced `$cond` tree: about log2(buckets) comparisons per record, and nesting far below BSON's limit.
 */
export const bucketIndexExpr = (field: string, bounds: readonly number[], range: Range): unknown => {
  const inside = bounds.slice(1, -1).filter((at) => at > range.from.getTime() && at < range.to.getTime());
  const first = bucketOf(bounds, range.from.getTime());
  return inside.length === 0 ? { $literal: first } : reachedTree(field, inside, first);
};
