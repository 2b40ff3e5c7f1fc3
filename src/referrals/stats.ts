import type { ReferralContext } from '../kernel/context.js';
import { aggregateAll } from '../kernel/cursor.js';
import type { Ref } from '../kernel/ids.js';
import { refSchema } from '../kernel/ids.js';
import { parseInput } from '../kernel/input.js';
import type { ReferralDeps } from './deps.js';
import type { ReferralRecord } from './model.js';
import { type LeaderboardOptions, leaderboardOptionsSchema } from './stats-inputs.js';
import type { ReferralStatus } from './status.js';

export interface ReferrerStats {
  total: number;
  byStatus: Record<ReferralStatus, number>;
  /** Sums of numeric `metadata.amount`; records without one count as 0. */
  amount: { total: number; byStatus: Record<ReferralStatus, number>; reversed: number };
}

export interface LeaderboardEntry {
  referrerRef: Ref;
  referrerModel: string;
  conversions: number;
  amount: number;
}

const emptyByStatus = (): Record<ReferralStatus, number> => ({ converted: 0, approved: 0, rejected: 0, reversed: 0 });

/** `metadata.amount` when it is a number, else 0. */
const amountExpression = { $cond: [{ $isNumber: '$metadata.amount' }, '$metadata.amount', 0] };

/** Aggregations over a tenant's referrals; every `$match` leads with an indexed prefix. */
export class ReferralStats {
  readonly #deps: ReferralDeps;

  constructor(deps: ReferralDeps) {
    this.#deps = deps;
  }

  /** Counts by status and amount totals for one referrer (served by rf_referral_referrer_recent). */
  async forReferrer(referrerRef: Ref, ctx: ReferralContext): Promise<ReferrerStats> {
    const scope = this.#deps.open(ctx, 'read');
    const ref = parseInput(refSchema, referrerRef, 'referrerRef');
    // query: referral.byReferrer
    const groups = await aggregateAll<{ _id: ReferralStatus; count: number; amount: number; reversed: number }, ReferralRecord>(
      this.#deps.referrals,
      [
        { $match: scope.live({ referrerRef: ref }) },
        { $group: { _id: '$status', count: { $sum: 1 }, amount: { $sum: amountExpression }, reversed: { $sum: { $ifNull: ['$reversedAmount', 0] } } } },
      ],
      scope.options,
    );
    const stats: ReferrerStats = { total: 0, byStatus: emptyByStatus(), amount: { total: 0, byStatus: emptyByStatus(), reversed: 0 } };
    for (const group of groups) {
      stats.total += group.count;
      stats.byStatus[group._id] = group.count;
      stats.amount.byStatus[group._id] = group.amount;
      stats.amount.total += group.amount;
      stats.amount.reversed += group.reversed;
    }
    return stats;
  }

  /** Top referrers by conversions (then amount) converted in [from, to) (served by rf_referral_converted_at). */
  async leaderboard(options: LeaderboardOptions, ctx: ReferralContext): Promise<LeaderboardEntry[]> {
    const scope = this.#deps.open(ctx, 'read');
    const { from, to, limit, statuses } = parseInput(leaderboardOptionsSchema, options, 'options');
    // query: referral.byConvertedAt
    return aggregateAll<LeaderboardEntry, ReferralRecord>(
      this.#deps.referrals,
      [
        { $match: scope.live({ convertedAt: { $gte: from, $lt: to }, status: { $in: statuses } }) },
        { $group: { _id: { ref: '$referrerRef', model: '$referrerModel' }, conversions: { $sum: 1 }, amount: { $sum: amountExpression } } },
        { $sort: { conversions: -1, amount: -1, _id: 1 } },
        { $limit: limit },
        { $project: { _id: 0, referrerRef: '$_id.ref', referrerModel: '$_id.model', conversions: 1, amount: 1 } },
      ],
      scope.options,
    );
  }
}
