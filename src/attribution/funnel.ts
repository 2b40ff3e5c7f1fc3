import type { Types } from 'mongoose';
import { z } from 'zod';
import { codeSchema } from '../codes/inputs.js';
import { findCode } from '../codes/resolver.js';
import { aggregateAll } from '../kernel/cursor.js';
import { ValidationError } from '../kernel/errors.js';
import type { Ref } from '../kernel/ids.js';
import { refSchema } from '../kernel/ids.js';
import { modelNameSchema } from '../kernel/input.js';
import type { ReferralRecord } from '../referrals/model.js';
import type { CallScope } from '../store/scope.js';
import type { AttributionDeps } from './deps.js';

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
  /** Visits through the referrer's codes (touches; raw touches expire after `touchTtlDays`). */
  visits: number;
  /** Referees who signed up in the window. */
  leads: number;
  /** Of those, how many have bought. */
  convertedLeads: number;
  /** Sales recorded in the window, and how they stand now. */
  sales: number;
  approved: number;
  reversed: number;
  /** Sum of numeric `metadata.amount` of those sales. */
  amount: number;
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
  // query: touch.byOwnerAt
  const visits = byReferrer ? deps.touches.countDocuments(touchFilter, scope.options) : countTouchesByCode(deps, scope, touchFilter);
  // query: lead.byReferrerSignedUp
  const leads = byReferrer ? deps.leads.countDocuments(leadFilter, scope.options) : countLeadsByCode(deps, scope, leadFilter);
  const converted = byReferrer
    ? // query: lead.byReferrerSignedUp
      deps.leads.countDocuments({ ...leadFilter, firstConvertedAt: { $ne: null } }, scope.options)
    : countLeadsByCode(deps, scope, { ...leadFilter, firstConvertedAt: { $ne: null } });
  const sales = aggregateSales(deps, scope, saleFilter, byReferrer);
  return Promise.all([visits, leads, converted, sales]);
};

// query: touch.byCodeAt
const countTouchesByCode = (deps: AttributionDeps, scope: CallScope, filter: Record<string, unknown>) => deps.touches.countDocuments(filter, scope.options);

// query: lead.byCodeSignedUp
const countLeadsByCode = (deps: AttributionDeps, scope: CallScope, filter: Record<string, unknown>) => deps.leads.countDocuments(filter, scope.options);

const amountOf = { $cond: [{ $isNumber: '$metadata.amount' }, '$metadata.amount', 0] };

const aggregateSales = async (deps: AttributionDeps, scope: CallScope, filter: Record<string, unknown>, byReferrer: boolean) => {
  const pipeline = [{ $match: filter }, { $group: { _id: '$status', count: { $sum: 1 }, amount: { $sum: amountOf } } }];
  const groups = byReferrer
    ? // query: referral.byReferrerCreated
      await aggregateAll<{ _id: string; count: number; amount: number }, ReferralRecord>(deps.referrals, pipeline, scope.options)
    : // query: referral.byCodeCreated
      await aggregateAll<{ _id: string; count: number; amount: number }, ReferralRecord>(deps.referrals, pipeline, scope.options);
  const of = (status: string) => groups.find((g) => g._id === status)?.count ?? 0;
  return {
    sales: groups.reduce((n, g) => n + g.count, 0),
    approved: of('approved'),
    reversed: of('reversed'),
    amount: groups.reduce((n, g) => n + g.amount, 0),
  };
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
    visits,
    leads,
    convertedLeads,
    ...sales,
    rates: { signup: rate(leads, visits), conversion: rate(convertedLeads, leads), approval: rate(sales.approved, sales.sales) },
  };
};
