import type { ReferralContext } from '../kernel/context.js';
import type { Ref } from '../kernel/ids.js';
import { refSchema } from '../kernel/ids.js';
import { parseInput } from '../kernel/input.js';
import type { CurrencyTotals } from '../money/totals.js';
import { REFERRAL_STATUSES, type ReferralStatus } from '../referrals/status.js';
import type { CallScope } from '../store/scope.js';
import { splitWindow } from './days.js';
import type { StatsDeps } from './deps.js';
import { type Funnel, funnelFor } from './funnel.js';
import {
  type FunnelInput,
  funnelInputSchema,
  type LeaderboardOptions,
  leaderboardOptionsSchema,
  type TimeseriesInput,
  timeseriesInputSchema,
} from './inputs.js';
import { type LeaderboardEntry, rankReferrers } from './leaderboard.js';
import { referrerDays, tenantDays } from './rolled-up.js';
import { currencyTotals } from './rows.js';
import { referrerSales, tenantSales } from './slices.js';
import { type Timeseries, timeseriesFor } from './timeseries.js';

export type { LeaderboardEntry } from './leaderboard.js';
export type { Timeseries, TimeseriesBucket } from './timeseries.js';

export interface ReferrerStats {
  total: number;
  byStatus: Record<ReferralStatus, number>;
  /** Per currency (never summed across currencies): sales not rejected, gross, reversed and net, in minor units. */
  amounts: CurrencyTotals[];
}

const emptyByStatus = (): Record<ReferralStatus, number> => Object.fromEntries(REFERRAL_STATUSES.map((s) => [s, 0])) as Record<ReferralStatus, number>;

/**
 * The dashboards. Each reads per-day rollups of the whole UTC days it spans (brought up to date
 * first from what changed since their watermark) and the records themselves for the parts of days
 * at its ends: what it examines grows with the days asked for, not with a referrer's history.
 */
export class ReferralStats {
  readonly #deps: StatsDeps;

  constructor(deps: StatsDeps) {
    this.#deps = deps;
  }

  /** Counts by status and money per currency over all of one referrer's sales (under any `referrerModel`). */
  async forReferrer(referrerRef: Ref, ctx: ReferralContext): Promise<ReferrerStats> {
    const scope = this.#open(ctx);
    const key = { referrerRef: parseInput(refSchema, referrerRef, 'referrerRef') };
    const rows = this.#deps.rollups.covers(scope) ? (await referrerDays(this.#deps, scope, key)).sales : await referrerSales(this.#deps, scope, key);
    const stats: ReferrerStats = { total: 0, byStatus: emptyByStatus(), amounts: currencyTotals(rows) };
    for (const row of rows) {
      stats.total += row.sales;
      stats.byStatus[row.status as ReferralStatus] += row.sales;
    }
    return stats;
  }

  /**
   * Top referrers by qualifying conversions in [from, to); with `currency`, only sales in it
   * count, ranked by net amount, then conversions.
   */
  async leaderboard(options: LeaderboardOptions, ctx: ReferralContext): Promise<LeaderboardEntry[]> {
    const scope = this.#open(ctx);
    const { from, to, limit, statuses, currency } = parseInput(leaderboardOptionsSchema, options, 'options');
    const { days, edges } = this.#deps.rollups.covers(scope) ? splitWindow({ from, to }) : { days: null, edges: [{ from, to }] };
    const parts = [...(days ? await tenantDays(this.#deps, scope, days) : [])];
    for (const edge of edges) parts.push(...(await tenantSales(this.#deps, scope, edge)));
    return rankReferrers(parts, { statuses: new Set(statuses), currency, limit });
  }

  /** Visits, leads, converted leads, sales, approved, reversed and amounts over [from, to), per referrer or per code, with the rates between them. */
  async funnel(input: FunnelInput, ctx: ReferralContext): Promise<Funnel> {
    const scope = this.#open(ctx);
    return funnelFor(this.#deps, scope, parseInput(funnelInputSchema, input, 'input'));
  }

  /**
   * Visits, unique visitors, leads, sales and money per currency per day, ISO week or month in
   * `timezone` (UTC by default), of one referrer or one code over [from, to): every bucket, zero-filled.
   */
  async timeseries(input: TimeseriesInput, ctx: ReferralContext): Promise<Timeseries> {
    const scope = this.#open(ctx);
    return timeseriesFor(this.#deps, scope, parseInput(timeseriesInputSchema, input, 'input'));
  }

  #open(ctx: ReferralContext): CallScope {
    return this.#deps.open(ctx, 'read');
  }
}
