import { findAll } from '../kernel/cursor.js';
import type { Ref } from '../kernel/ids.js';
import type { CallScope } from '../store/scope.js';
import { type CaughtUpDay, catchUp, markFilter, type Subject } from './catch-up.js';
import type { Range } from './days.js';
import type { StatsDeps } from './deps.js';
import type { LeadRow, ReferralRollupRecord, SaleRow } from './rollup.model.js';
import { dayId, type ReferrerSales } from './slices.js';

/** The rows of a set of referrer days: what a dashboard folds. */
export interface DayRows {
  sales: SaleRow[];
  leads: LeadRow[];
}

const inRange = (day: number, days: Range | undefined) => days === undefined || (day >= days.from.getTime() && day < days.to.getTime());

type Rollup = ReferralRollupRecord & { referrerRef: NonNullable<ReferralRollupRecord['referrerRef']>; referrerModel: string; day: Date };

/** Each stored rollup not computed again by this call, then each day this call computed: every referrer day exactly once. */
const merge = (stored: readonly ReferralRollupRecord[], fresh: Map<string, CaughtUpDay>, days: Range | undefined): CaughtUpDay[] => {
  const merged: CaughtUpDay[] = [];
  for (const doc of stored as Rollup[]) {
    if (doc.day === null || doc.referrerModel === null || fresh.has(dayId(doc, doc.day.getTime()))) continue;
    merged.push({ referrerRef: doc.referrerRef, referrerModel: doc.referrerModel, day: doc.day.getTime(), sales: doc.sales ?? [], leads: doc.leads ?? [] });
  }
  for (const day of fresh.values()) if (inRange(day.day, days)) merged.push(day);
  return merged;
};

const throughOf = (docs: readonly ReferralRollupRecord[]): Date | null => docs.find((doc) => doc.day === null)?.through ?? null;

/**
 * One ref's rollups (under `referrerModel`, or any model), brought up to date first: all their days,
 * or the whole UTC days of `days`, each day once. Reads the index keys of those days plus what changed since the watermark.
 */
export const referrerDayList = async (
  deps: StatsDeps,
  scope: CallScope,
  key: { referrerRef: Ref; referrerModel?: string },
  days?: Range,
): Promise<CaughtUpDay[]> => {
  const { collection } = deps.rollups;
  const subject = { referrerRef: key.referrerRef };
  const byModel = key.referrerModel === undefined ? {} : { referrerModel: key.referrerModel };
  // query: rollup.byReferrer (all days and the watermark)
  const all = days ? null : await findAll(collection, scope.where(subject), scope.options);
  // query: rollup.byKey
  const mark = all ?? (await findAll(collection, markFilter(scope, subject), scope.options));
  // query: rollup.byReferrerDays
  const window = days ? await findAll(collection, scope.where({ ...subject, ...byModel, day: { $gte: days.from, $lt: days.to } }), scope.options) : [];
  const stored = [...mark, ...window];
  const fresh = await catchUp(deps, scope, subject, throughOf(stored));
  return merge(stored, fresh, days).filter((day) => key.referrerModel === undefined || day.referrerModel === key.referrerModel);
};

/** The rows of `referrerDayList`'s days. */
export const referrerDays = async (deps: StatsDeps, scope: CallScope, key: { referrerRef: Ref; referrerModel?: string }, days?: Range): Promise<DayRows> => {
  const merged = await referrerDayList(deps, scope, key, days);
  return { sales: merged.flatMap((day) => day.sales), leads: merged.flatMap((day) => day.leads) };
};

/** Every referrer's sales rows of the whole UTC days of `days`, brought up to date first (the leaderboard). */
export const tenantDays = async (deps: StatsDeps, scope: CallScope, days: Range): Promise<ReferrerSales[]> => {
  const { collection } = deps.rollups;
  // query: rollup.byKey
  const mark = await collection.findOne(markFilter(scope, 'tenant' satisfies Subject), scope.options);
  const fresh = await catchUp(deps, scope, 'tenant', mark?.through ?? null);
  // query: rollup.byDay
  const stored = await findAll(collection, scope.where({ day: { $gte: days.from, $lt: days.to } }), scope.options);
  return merge(stored, fresh, days).map(({ referrerRef, referrerModel, sales }) => ({ referrerRef, referrerModel, sales }));
};
