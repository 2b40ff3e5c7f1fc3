import type { ReferralContext } from '../kernel/context.js';
import { aggregateAll } from '../kernel/cursor.js';
import type { Ref } from '../kernel/ids.js';
import { refSchema } from '../kernel/ids.js';
import { parseInput } from '../kernel/input.js';
import { type CurrencyTotals, foldCurrencyTotals, MONEY_GROUP, MONEY_SUMS, type MoneyRow } from '../money/totals.js';
import type { ReferralDeps } from './deps.js';
import type { ReferralRecord } from './model.js';
import { type LeaderboardOptions, leaderboardOptionsSchema } from './stats-inputs.js';
import { REFERRAL_STATUSES, type ReferralStatus } from './status.js';

export interface ReferrerStats {
  total: number;
  byStatus: Record<ReferralStatus, number>;
  /** Per currency (never summed across currencies): sales not rejected, gross, reversed and net, in minor units. */
  amounts: CurrencyTotals[];
}

export interface LeaderboardEntry {
  referrerRef: Ref;
  referrerModel: string;
  /** Qualifying sales (a 0-amount sale is not one) with the leaderboard's statuses. */
  conversions: number;
  /** With `currency`: the money of those sales in it; else null. */
  amount: CurrencyTotals | null;
}

const emptyByStatus = (): Record<ReferralStatus, number> => Object.fromEntries(REFERRAL_STATUSES.map((s) => [s, 0])) as Record<ReferralStatus, number>;

/** Aggregations over a tenant's referrals; every `$match` leads with an indexed prefix. */
export class ReferralStats {
  readonly #deps: ReferralDeps;

  constructor(deps: ReferralDeps) {
    this.#deps = deps;
  }

  /** Counts by status and money per currency for one referrer (served by rf_referral_referrer_recent). */
  async forReferrer(referrerRef: Ref, ctx: ReferralContext): Promise<ReferrerStats> {
    const scope = this.#deps.open(ctx, 'read');
    const ref = parseInput(refSchema, referrerRef, 'referrerRef');
    // query: referral.byReferrer
    const rows = await aggregateAll<MoneyRow, ReferralRecord>(this.#deps.referrals, [{ $match: scope.live({ referrerRef: ref }) }, MONEY_GROUP], scope.options);
    const stats: ReferrerStats = { total: 0, byStatus: emptyByStatus(), amounts: foldCurrencyTotals(rows) };
    for (const row of rows) {
      stats.total += row.sales;
      stats.byStatus[row._id.status as ReferralStatus] += row.sales;
    }
    return stats;
  }

  /**
   * Top referrers by qualifying conversions in [from, to) (served by rf_referral_converted_at);
   * with `currency`, only sales in it count, ranked by net amount, then conversions.
   */
  async leaderboard(options: LeaderboardOptions, ctx: ReferralContext): Promise<LeaderboardEntry[]> {
    const scope = this.#deps.open(ctx, 'read');
    const { from, to, limit, statuses, currency } = parseInput(leaderboardOptionsSchema, options, 'options');
    const match = scope.live({ convertedAt: { $gte: from, $lt: to }, status: { $in: statuses }, amount: { $ne: 0 }, ...(currency ? { currency } : {}) });
    const net = { $subtract: ['$gross', '$reversed'] };
    // query: referral.byConvertedAt
    const rows = await aggregateAll<{ referrerRef: Ref; referrerModel: string; conversions: number; gross: number; reversed: number }, ReferralRecord>(
      this.#deps.referrals,
      [
        { $match: match },
        { $group: { _id: { ref: '$referrerRef', model: '$referrerModel' }, conversions: { $sum: 1 }, ...MONEY_SUMS } },
        { $addFields: { net } },
        { $sort: currency ? { net: -1, conversions: -1, _id: 1 } : { conversions: -1, _id: 1 } },
        { $limit: limit },
        { $project: { _id: 0, referrerRef: '$_id.ref', referrerModel: '$_id.model', conversions: 1, gross: 1, reversed: 1 } },
      ],
      scope.options,
    );
    return rows.map(({ referrerRef, referrerModel, conversions, gross, reversed }) => ({
      referrerRef,
      referrerModel,
      conversions,
      amount: currency ? { currency, sales: conversions, gross, reversed, net: gross - reversed } : null,
    }));
  }
}
