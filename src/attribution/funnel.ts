import type { Types } from 'mongoose';
import { z } from 'zod';
import { codeSchema } from '../codes/inputs.js';
import { findCode } from '../codes/resolver.js';
import { aggregateAll } from '../kernel/cursor.js';
import { ValidationError } from '../kernel/errors.js';
import type { Ref } from '../kernel/ids.js';
import { refSchema } from '../kernel/ids.js';
import { modelNameSchema } from '../kernel/input.js';
import { type CurrencyTotals, foldCurrencyTotals, MONEY_GROUP, type MoneyRow } from '../money/totals.js';
import type { ReferralRecord } from '../referrals/model.js';
import type { CallScope } from '../store/scope.js';
import type { AttributionDeps } from './deps.js';
import type { ReferralTouchRecord } from './touch.model.js';

export const funnelInputSchema = z
  .strictObject({
    referrerRef: refSchema.optional(),
    referrerModel: modelNameSchema.default('user'),
    code: codeSchema.optional(),
    from: z.date({ error: 'Expected a valid Date' }),
    to: z.date({ error: 'Expected a valid Date' }),
  })
  .refine((input) => (input.referrerRef === undefined) !== (input.code === undefined), {
    path: ['referrerRef'],
    message: 'Give exactly one of referrerRef or code',
  })
  .refine((input) => input.from < input.to, { path: ['to'], message: 'Must be after from' });

export type FunnelInput = z.input<typeof funnelInputSchema>;

/** A referrer's or a code's funnel over [from, to), and the rates between its stages (null where nothing came in). */
export interface Funnel {
  /** Visits through the referrer's codes (touches; raw touches expire after `touchTtlDays`), reloads included. */
  visits: number;
  /** Distinct visitors (`visitorId`) among those visits: what Dub, Rewardful and FirstPromoter call clicks. */
  uniqueVisitors: number;
  /** Referees who signed up in the window. */
  leads: number;
  /** Of those, how many have bought. */
  convertedLeads: number;
  /** Sales recorded in the window, and how they stand now. */
  sales: number;
  approved: number;
  reversed: number;
  /** Money of those sales per currency (rejected ones aside): gross, reversed and net, in minor units. */
  amounts: CurrencyTotals[];
  /** signup: leads per unique visitor; conversion: converted leads per lead; approval: approved per sale. */
  rates: { signup: number | null; conversion: number | null; approval: number | null };
}

const rate = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

type Scope = { by: 'referrer'; referrerRef: Ref; referrerModel: string } | { by: 'code'; codeId: Types.ObjectId };

const counts = async (deps: AttributionDeps, scope: CallScope, subject: Scope, window: { $gte: Date; $lt: Date }) => {
  const byReferrer = subject.by === 'referrer';
  const touchFilter = byReferrer
    ? scope.where({ ownerRef: subject.referrerRef, ownerModel: subject.referrerModel, at: window })
    : scope.where({ codeId: subject.codeId, at: window });
  const leadFilter = byReferrer
    ? scope.live({ referrerRef: subject.referrerRef, referrerModel: subject.referrerModel, signedUpAt: window })
    : scope.live({ codeId: subject.codeId, signedUpAt: window });
  const saleFilter = byReferrer
    ? scope.live({ referrerRef: subject.referrerRef, referrerModel: subject.referrerModel, createdAt: window })
    : scope.live({ codeId: subject.codeId, createdAt: window });
  const visits = byReferrer ? countVisits(deps, scope, touchFilter) : countVisitsByCode(deps, scope, touchFilter);
  // query: lead.byReferrerSignedUp
  const leads = byReferrer ? deps.leads.countDocuments(leadFilter, scope.options) : countLeadsByCode(deps, scope, leadFilter);
  const converted = byReferrer
    ? // query: lead.byReferrerSignedUp
      deps.leads.countDocuments({ ...leadFilter, firstConvertedAt: { $ne: null } }, scope.options)
    : countLeadsByCode(deps, scope, { ...leadFilter, firstConvertedAt: { $ne: null } });
  const sales = aggregateSales(deps, scope, saleFilter, byReferrer);
  return Promise.all([visits, leads, converted, sales]);
};

/** Visits and distinct visitors, in one pass over the touches `filter` finds. */
const visitPipeline = (filter: Record<string, unknown>) => [
  { $match: filter },
  { $group: { _id: '$visitorId', n: { $sum: 1 } } },
  { $group: { _id: null, visits: { $sum: '$n' }, unique: { $sum: 1 } } },
];

type VisitRow = { visits: number; unique: number };

const visitCounts = ([row]: VisitRow[]) => ({ visits: row?.visits ?? 0, unique: row?.unique ?? 0 });

const countVisits = async (deps: AttributionDeps, scope: CallScope, filter: Record<string, unknown>) =>
  // query: touch.byOwnerAt
  visitCounts(await aggregateAll<VisitRow, ReferralTouchRecord>(deps.touches, visitPipeline(filter), scope.options));

const countVisitsByCode = async (deps: AttributionDeps, scope: CallScope, filter: Record<string, unknown>) =>
  // query: touch.byCodeAt
  visitCounts(await aggregateAll<VisitRow, ReferralTouchRecord>(deps.touches, visitPipeline(filter), scope.options));

// query: lead.byCodeSignedUp
const countLeadsByCode = (deps: AttributionDeps, scope: CallScope, filter: Record<string, unknown>) => deps.leads.countDocuments(filter, scope.options);

const aggregateSales = async (deps: AttributionDeps, scope: CallScope, filter: Record<string, unknown>, byReferrer: boolean) => {
  const pipeline = [{ $match: filter }, MONEY_GROUP];
  const rows = byReferrer
    ? // query: referral.byReferrerCreated
      await aggregateAll<MoneyRow, ReferralRecord>(deps.referrals, pipeline, scope.options)
    : // query: referral.byCodeCreated
      await aggregateAll<MoneyRow, ReferralRecord>(deps.referrals, pipeline, scope.options);
  const of = (status: string) => rows.reduce((n, row) => n + (row._id.status === status ? row.sales : 0), 0);
  return { sales: rows.reduce((n, row) => n + row.sales, 0), approved: of('approved'), reversed: of('reversed'), amounts: foldCurrencyTotals(rows) };
};

/** The funnel of one referrer (`referrerRef`, `referrerModel` default `user`) or one code (`code`). Index-backed counts, sent together. */
export const funnelFor = async (deps: AttributionDeps, scope: CallScope, input: z.output<typeof funnelInputSchema>): Promise<Funnel> => {
  let subject: Scope;
  if (input.code !== undefined) {
    const code = await findCode(deps, scope, input.code);
    if (!code) throw new ValidationError([{ field: 'input.code', message: 'No such referral code in this tenant' }]);
    subject = { by: 'code', codeId: code._id };
  } else {
    subject = { by: 'referrer', referrerRef: input.referrerRef as Ref, referrerModel: input.referrerModel };
  }
  const [visits, leads, convertedLeads, sales] = await counts(deps, scope, subject, { $gte: input.from, $lt: input.to });
  return {
    visits: visits.visits,
    uniqueVisitors: visits.unique,
    leads,
    convertedLeads,
    ...sales,
    rates: { signup: rate(leads, visits.unique), conversion: rate(convertedLeads, leads), approval: rate(sales.approved, sales.sales) },
  };
};
