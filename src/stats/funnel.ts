import type { z } from 'zod';
import type { CurrencyTotals } from '../money/totals.js';
import { type CallScope, readTogether } from '../store/scope.js';
import { rowsByBucket } from './bucketed-rows.js';
import type { StatsDeps } from './deps.js';
import type { funnelInputSchema } from './inputs.js';
import { countSales, currencyTotals } from './rows.js';
import { subjectOf } from './subject.js';
import { visitsByBucket } from './visits.js';

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

/** The funnel of one referrer (`referrerRef`, `referrerModel` default `user`) or one code (`code`). */
export const funnelFor = async (deps: StatsDeps, scope: CallScope, input: z.output<typeof funnelInputSchema>): Promise<Funnel> => {
  const subject = await subjectOf(deps, scope, input);
  // One bucket, the whole window: what a time series counts per bucket.
  const bounds = [input.from.getTime(), input.to.getTime()];
  const [[visits], { sales, leads }] = await readTogether(scope, [
    () => visitsByBucket(deps, scope, subject, bounds),
    () => rowsByBucket(deps, scope, subject, bounds),
  ]);
  const leadCount = leads.reduce((n, row) => n + row.leads, 0);
  const convertedLeads = leads.reduce((n, row) => n + row.converted, 0);
  const saleCount = countSales(sales);
  const approved = countSales(sales, new Set(['approved']));
  return {
    visits: visits?.visits ?? 0,
    uniqueVisitors: visits?.uniqueVisitors ?? 0,
    leads: leadCount,
    convertedLeads,
    sales: saleCount,
    approved,
    reversed: countSales(sales, new Set(['reversed'])),
    amounts: currencyTotals(sales),
    rates: { signup: rate(leadCount, visits?.uniqueVisitors ?? 0), conversion: rate(convertedLeads, leadCount), approval: rate(approved, saleCount) },
  };
};
