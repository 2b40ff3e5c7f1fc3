import type { Types } from 'mongoose';
import type { ReferralLeadRecord } from '../attribution/lead.model.js';
import { aggregateAll } from '../kernel/cursor.js';
import type { Ref } from '../kernel/ids.js';
import type { ReferralRecord } from '../referrals/model.js';
import type { CallScope } from '../store/scope.js';
import { type Range, within } from './days.js';
import type { StatsDeps } from './deps.js';
import type { LeadRow, SaleRow } from './rollup.model.js';
import { type Bucketed, leadRowsPipeline, saleRowsPipeline, salesByReferrer, toLeadRow, toSaleRow } from './rows.js';

/** A referrer as the records name them. */
export interface ReferrerKey {
  referrerRef: Ref;
  referrerModel: string;
}

/** One referrer's sales rows, of a window's ends or of one rollup's day. */
export interface ReferrerSales extends ReferrerKey {
  sales: SaleRow[];
}

type SaleGroup = Parameters<typeof toSaleRow>[0];
type LeadGroup = Parameters<typeof toLeadRow>[0];

/** The records themselves, counted as a rollup counts them: live sales by `createdAt`. Without a range, all of them. */
export const referrerSales = async (
  deps: StatsDeps,
  scope: CallScope,
  key: { referrerRef: Ref; referrerModel?: string },
  range?: Range,
  bucket?: unknown,
): Promise<Bucketed<SaleRow>[]> => {
  const byModel = key.referrerModel === undefined ? {} : { referrerModel: key.referrerModel };
  const match = scope.live({ referrerRef: key.referrerRef, ...byModel, ...(range ? { createdAt: within(range) } : {}) });
  // query: referral.byReferrerCreated
  const rows = await aggregateAll<SaleGroup, ReferralRecord>(deps.referrals, saleRowsPipeline(match, bucket), scope.options);
  return rows.map(toSaleRow);
};

/** Live leads by `signedUpAt`, as a rollup counts them. */
export const referrerLeads = async (deps: StatsDeps, scope: CallScope, key: ReferrerKey, range?: Range, bucket?: unknown): Promise<Bucketed<LeadRow>[]> => {
  const match = scope.live({ referrerRef: key.referrerRef, referrerModel: key.referrerModel, ...(range ? { signedUpAt: within(range) } : {}) });
  // query: lead.byReferrerSignedUp
  const rows = await aggregateAll<LeadGroup, ReferralLeadRecord>(deps.leads, leadRowsPipeline(match, bucket), scope.options);
  return rows.map(toLeadRow);
};

export const codeSales = async (deps: StatsDeps, scope: CallScope, codeId: Types.ObjectId, range: Range, bucket?: unknown): Promise<Bucketed<SaleRow>[]> => {
  const pipeline = saleRowsPipeline(scope.live({ codeId, createdAt: within(range) }), bucket);
  // query: referral.byCodeCreated
  const rows = await aggregateAll<SaleGroup, ReferralRecord>(deps.referrals, pipeline, scope.options);
  return rows.map(toSaleRow);
};

export const codeLeads = async (deps: StatsDeps, scope: CallScope, codeId: Types.ObjectId, range: Range, bucket?: unknown): Promise<Bucketed<LeadRow>[]> => {
  const pipeline = leadRowsPipeline(scope.live({ codeId, signedUpAt: within(range) }), bucket);
  // query: lead.byCodeSignedUp
  const rows = await aggregateAll<LeadGroup, ReferralLeadRecord>(deps.leads, pipeline, scope.options);
  return rows.map(toLeadRow);
};

/** Every referrer's sales converted in `range` (the leaderboard's ends; `convertedAt` is `createdAt` for every sale). */
export const tenantSales = async (deps: StatsDeps, scope: CallScope, range: Range): Promise<ReferrerSales[]> => {
  const { $match, $group } = salesByReferrer(scope.live({ convertedAt: within(range) }));
  // query: referral.byConvertedAt
  const rows = await aggregateAll<SaleGroup & { _id: { ref: Ref; model: string } }, ReferralRecord>(deps.referrals, [{ $match }, { $group }], scope.options);
  const byKey = new Map<string, ReferrerSales>();
  for (const row of rows) {
    const id = referrerId({ referrerRef: row._id.ref, referrerModel: row._id.model });
    const entry = byKey.get(id) ?? { referrerRef: row._id.ref, referrerModel: row._id.model, sales: [] };
    entry.sales.push(toSaleRow(row));
    byKey.set(id, entry);
  }
  return [...byKey.values()];
};

/** One string per referrer: a string ref and an ObjectId ref with the same text are different referrers. */
export const referrerId = (key: ReferrerKey): string =>
  `${key.referrerModel}\u0000${typeof key.referrerRef === 'string' ? 's' : 'o'}\u0000${String(key.referrerRef)}`;

/** One string per referrer day: how a catch-up names the days it computed and a read finds them. */
export const dayId = (key: ReferrerKey, day: number): string => `${referrerId(key)}\u0000${day}`;
