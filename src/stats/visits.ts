import type { ReferralTouchRecord } from '../attribution/touch.model.js';
import { aggregateAll } from '../kernel/cursor.js';
import type { CallScope } from '../store/scope.js';
import { bucketIndexExpr } from './buckets.js';
import { type Range, within } from './days.js';
import type { StatsDeps } from './deps.js';
import type { Subject } from './subject.js';

/** Visits and distinct visitors (`visitorId`) of one bucket. */
export interface VisitCounts {
  visits: number;
  uniqueVisitors: number;
}

/**
 * Visits and distinct visitors per bucket of `bounds` (the window is its first to its last), in one
 * pass over the window's touches: distinct visitors do not add up across days, so touches (which
 * expire after `touchTtlDays`) are counted as they are rather than rolled up.
 */
export const visitsByBucket = async (deps: StatsDeps, scope: CallScope, subject: Subject, bounds: readonly number[]): Promise<VisitCounts[]> => {
  const window = { from: new Date(bounds[0] as number), to: new Date(bounds.at(-1) as number) } satisfies Range;
  const at = within(window);
  const filter =
    subject.by === 'referrer'
      ? scope.where({ ownerRef: subject.referrerRef, ownerModel: subject.referrerModel, at })
      : scope.where({ codeId: subject.codeId, at });
  const pipeline = [
    { $match: filter },
    { $group: { _id: { b: bucketIndexExpr('at', bounds, window), v: '$visitorId' }, n: { $sum: 1 } } },
    { $group: { _id: '$_id.b', visits: { $sum: '$n' }, unique: { $sum: 1 } } },
  ];
  // query: touch.byOwnerAt (by code: touch.byCodeAt)
  const rows = await aggregateAll<{ _id: number; visits: number; unique: number }, ReferralTouchRecord>(deps.touches, pipeline, scope.options);
  const counts = Array.from({ length: bounds.length - 1 }, (): VisitCounts => ({ visits: 0, uniqueVisitors: 0 }));
  for (const row of rows) counts[row._id] = { visits: row.visits, uniqueVisitors: row.unique };
  return counts;
};
