import { type mongo, Types } from 'mongoose';
import type { ReferralEngine } from '../../src/index.js';

type Row = mongo.Document;
type Window = { from: Date; to: Date };

const MONEY = new Set(['converted', 'approved', 'reversed']);
const STATUSES = ['converted', 'approved', 'rejected', 'reversed'] as const;
const DAY = 86_400_000;

const sameRef = (a: unknown, b: unknown) => String(a) === String(b) && a instanceof Types.ObjectId === b instanceof Types.ObjectId;
const inWindow = (at: Date, window: Window) => at >= window.from && at < window.to;

const amounts = (sales: readonly Row[]) => {
  const byCurrency = new Map<string, { currency: string; sales: number; gross: number; reversed: number; net: number }>();
  for (const sale of sales) {
    if (sale.currency === null || sale.currency === undefined || !MONEY.has(sale.status)) continue;
    const totals = byCurrency.get(sale.currency) ?? { currency: sale.currency, sales: 0, gross: 0, reversed: 0, net: 0 };
    totals.sales++;
    totals.gross += sale.amount ?? 0;
    totals.reversed += sale.reversedAmount ?? 0;
    totals.net = totals.gross - totals.reversed;
    byCurrency.set(sale.currency, totals);
  }
  return [...byCurrency.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1));
};

/**
 * What the dashboards must say, computed in JavaScript from the live records as they are now:
 * independent of the engine's pipelines and of its rollups.
 */
export const dashboardOracle = async (engine: ReferralEngine, ctx: { organizationId: string }) => {
  const tenant = { organizationId: new Types.ObjectId(ctx.organizationId), deletedAt: null };
  const sales = await engine.models.Referral.collection.find(tenant).toArray();
  const leads = (await engine.models.ReferralLead?.collection.find(tenant).toArray()) ?? []; // none with leads off
  const count = (rows: readonly Row[], status: string) => rows.filter((row) => row.status === status).length;
  const funnel = (ref: Types.ObjectId, model: string, window: Window) => {
    const mine = sales.filter((sale) => sameRef(sale.referrerRef, ref) && sale.referrerModel === model && inWindow(sale.createdAt, window));
    const signups = leads.filter((lead) => sameRef(lead.referrerRef, ref) && lead.referrerModel === model && inWindow(lead.signedUpAt, window));
    return {
      leads: signups.length,
      convertedLeads: signups.filter((lead) => lead.firstConvertedAt).length,
      sales: mine.length,
      approved: count(mine, 'approved'),
      reversed: count(mine, 'reversed'),
      amounts: amounts(mine),
    };
  };
  return {
    funnel,
    /** The funnel's leads, sales and money of each bucket, given the buckets' starts: the first and last clipped to the window. */
    timeseries(ref: Types.ObjectId, model: string, window: Window, starts: readonly Date[]) {
      return starts.map((start, i) => {
        const part = { from: i === 0 ? window.from : start, to: starts[i + 1] ?? window.to };
        const { leads: signups, sales: count, amounts: money } = funnel(ref, model, part);
        return { start, leads: signups, sales: count, amounts: money };
      });
    },
    forReferrer(ref: Types.ObjectId) {
      const mine = sales.filter((sale) => sameRef(sale.referrerRef, ref));
      return { total: mine.length, byStatus: Object.fromEntries(STATUSES.map((status) => [status, count(mine, status)])), amounts: amounts(mine) };
    },
    leaderboard(window: Window, statuses: string[], currency: string | undefined) {
      const byReferrer = new Map<string, { referrerRef: unknown; referrerModel: string; conversions: number; gross: number; reversed: number }>();
      for (const sale of sales) {
        if (!inWindow(sale.convertedAt, window) || !statuses.includes(sale.status) || sale.amount === 0) continue;
        if (currency !== undefined && sale.currency !== currency) continue;
        const key = `${sale.referrerModel}|${String(sale.referrerRef)}`;
        const entry = byReferrer.get(key) ?? { referrerRef: sale.referrerRef, referrerModel: sale.referrerModel, conversions: 0, gross: 0, reversed: 0 };
        entry.conversions++;
        entry.gross += sale.amount ?? 0;
        entry.reversed += sale.reversedAmount ?? 0;
        byReferrer.set(key, entry);
      }
      const net = (e: { gross: number; reversed: number }) => e.gross - e.reversed;
      return [...byReferrer.values()]
        .sort((a, b) => (currency ? net(b) - net(a) : 0) || b.conversions - a.conversions || (String(a.referrerRef) < String(b.referrerRef) ? -1 : 1))
        .map(({ referrerRef, referrerModel, conversions, gross, reversed }) => ({
          referrerRef,
          referrerModel,
          conversions,
          amount: currency ? { currency, sales: conversions, gross, reversed, net: gross - reversed } : null,
        }));
    },
    /** One referrer's day, as totals per status and currency. */
    dayTotals(ref: unknown, model: string, day: number) {
      const mine = sales.filter(
        (sale) => sameRef(sale.referrerRef, ref) && sale.referrerModel === model && sale.createdAt.getTime() - day >= 0 && sale.createdAt.getTime() - day < DAY,
      );
      return totals(
        mine.map((sale) => ({ status: sale.status, currency: sale.currency ?? null, sales: 1, gross: sale.amount ?? 0, reversed: sale.reversedAmount ?? 0 })),
      );
    },
    /** A stored rollup's rows, as the same totals. */
    rowTotals: (rows: readonly Row[]) =>
      totals(rows.map((row) => ({ status: row.status, currency: row.currency ?? null, sales: row.sales, gross: row.gross, reversed: row.reversed }))),
  };
};

const totals = (rows: readonly { status: string; currency: string | null; sales: number; gross: number; reversed: number }[]) => {
  const out: Record<string, { sales: number; gross: number; reversed: number }> = {};
  for (const row of rows) {
    const key = `${row.status}|${row.currency}`;
    const entry = out[key] ?? { sales: 0, gross: 0, reversed: 0 };
    entry.sales += row.sales;
    entry.gross += row.gross;
    entry.reversed += row.reversed;
    out[key] = entry;
  }
  return out;
};
