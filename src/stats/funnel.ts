import type { Types } from 'mongoose';
import type { z } from 'zod';
import type { ReferralTouchRecord } from '../attribution/touch.model.js';
import { findCode } from '../codes/resolver.js';
import { aggregateAll } from '../kernel/cursor.js';
import { ValidationError } from '../kernel/errors.js';
import type { Ref } from '../kernel/ids.js';
import type { CurrencyTotals } from '../money/totals.js';
import type { CallScope } from '../store/scope.js';
import { type Range, splitWindow } from './days.js';
import type { StatsDeps } from './deps.js';
import type { funnelInputSchema } from './inputs.js';
import { type DayRows, referrerDays } from './rolled-up.js';
import type { LeadRow, SaleRow } from './rollup.model.js';
import { countSales, currencyTotals, ofCode } from './rows.js';
import { codeLeads, codeSales, referrerLeads, referrerSales } from './slices.js';

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

type Subject =
  | { by: 'referrer'; referrerRef: Ref; referrerModel: string }
  | { by: 'code'; codeId: Types.ObjectId; owner: { referrerRef: Ref; referrerModel: string } };

/**
 * Visits and distinct visitors, in one pass over the touches of the window (distinct visitors do not
 * add up across days, so touches, which expire after `touchTtlDays`, are counted as they are).
 */
const countVisits = async (deps: StatsDeps, scope: CallScope, subject: Subject, window: Range) => {
  const at = { $gte: window.from, $lt: window.to };
  const filter =
    subject.by === 'referrer'
      ? scope.where({ ownerRef: subject.referrerRef, ownerModel: subject.referrerModel, at })
      : scope.where({ codeId: subject.codeId, at });
  const pipeline = [
    { $match: filter },
    { $group: { _id: '$visitorId', n: { $sum: 1 } } },
    { $group: { _id: null, visits: { $sum: '$n' }, unique: { $sum: 1 } } },
  ];
  // query: touch.byOwnerAt (by code: touch.byCodeAt)
  const [row] = await aggregateAll<{ visits: number; unique: number }, ReferralTouchRecord>(deps.touches, pipeline, scope.options);
  return { visits: row?.visits ?? 0, unique: row?.unique ?? 0 };
};

/** The window's sales and leads: rollups for its whole UTC days, the records for the parts of days at its ends. */
const salesAndLeads = async (deps: StatsDeps, scope: CallScope, subject: Subject, window: Range): Promise<DayRows> => {
  const { days, edges } = deps.rollups.covers(scope) ? splitWindow(window) : { days: null, edges: [window] };
  const sales: SaleRow[] = [];
  const leads: LeadRow[] = [];
  if (days) {
    const rolled = await referrerDays(deps, scope, subject.by === 'referrer' ? subject : subject.owner, days);
    sales.push(...(subject.by === 'code' ? ofCode(rolled.sales, subject.codeId) : rolled.sales));
    leads.push(...(subject.by === 'code' ? ofCode(rolled.leads, subject.codeId) : rolled.leads));
  }
  for (const edge of edges) {
    sales.push(...(await (subject.by === 'code' ? codeSales(deps, scope, subject.codeId, edge) : referrerSales(deps, scope, subject, edge))));
    leads.push(...(await (subject.by === 'code' ? codeLeads(deps, scope, subject.codeId, edge) : referrerLeads(deps, scope, subject, edge))));
  }
  return { sales, leads };
};

const subjectOf = async (deps: StatsDeps, scope: CallScope, input: z.output<typeof funnelInputSchema>): Promise<Subject> => {
  if (input.code === undefined) return { by: 'referrer', referrerRef: input.referrerRef as Ref, referrerModel: input.referrerModel };
  const code = await findCode(deps, scope, input.code);
  if (!code) throw new ValidationError([{ field: 'input.code', message: 'No such referral code in this tenant' }]);
  // A code's sales and leads are all its owner's: whatever decided the referrer, the code recorded is one of theirs.
  return { by: 'code', codeId: code._id, owner: { referrerRef: code.ownerRef, referrerModel: code.ownerModel } };
};

/** The funnel of one referrer (`referrerRef`, `referrerModel` default `user`) or one code (`code`). */
export const funnelFor = async (deps: StatsDeps, scope: CallScope, input: z.output<typeof funnelInputSchema>): Promise<Funnel> => {
  const subject = await subjectOf(deps, scope, input);
  const window = { from: input.from, to: input.to };
  const [visits, { sales, leads }] = await Promise.all([countVisits(deps, scope, subject, window), salesAndLeads(deps, scope, subject, window)]);
  const leadCount = leads.reduce((n, row) => n + row.leads, 0);
  const convertedLeads = leads.reduce((n, row) => n + row.converted, 0);
  const saleCount = countSales(sales);
  const approved = countSales(sales, new Set(['approved']));
  return {
    visits: visits.visits,
    uniqueVisitors: visits.unique,
    leads: leadCount,
    convertedLeads,
    sales: saleCount,
    approved,
    reversed: countSales(sales, new Set(['reversed'])),
    amounts: currencyTotals(sales),
    rates: { signup: rate(leadCount, visits.unique), conversion: rate(convertedLeads, leadCount), approval: rate(approved, saleCount) },
  };
};
