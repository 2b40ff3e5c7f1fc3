import { Types } from 'mongoose';
import type { Ref } from '../kernel/ids.js';
import type { CurrencyTotals } from '../money/totals.js';
import type { ReferrerSales } from './slices.js';
import { referrerId } from './slices.js';

export interface LeaderboardEntry {
  referrerRef: Ref;
  referrerModel: string;
  /** Qualifying sales (a 0-amount sale is not one) with the leaderboard's statuses. */
  conversions: number;
  /** With `currency`: the money of those sales in it; else null. */
  amount: CurrencyTotals | null;
}

interface Rank {
  statuses: ReadonlySet<string>;
  currency: string | undefined;
  limit: number;
}

/** BSON order of refs, as MongoDB sorts them: strings before ObjectIds, ObjectIds by their bytes. */
const compareRefs = (a: Ref, b: Ref): number => {
  const kind = (ref: Ref) => (ref instanceof Types.ObjectId ? 1 : 0);
  if (kind(a) !== kind(b)) return kind(a) - kind(b);
  const [x, y] = [String(a), String(b)];
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * Ranks referrers by qualifying sales with one of `statuses` (within `currency`, by net amount
 * first), ties by ref then model; the same sales of one referrer may come in several parts.
 */
export const rankReferrers = (parts: readonly ReferrerSales[], rank: Rank): LeaderboardEntry[] => {
  const totals = new Map<string, LeaderboardEntry & { gross: number; reversed: number }>();
  for (const part of parts) {
    for (const row of part.sales) {
      if (!rank.statuses.has(row.status) || row.qualifying === 0 || (rank.currency !== undefined && row.currency !== rank.currency)) continue;
      const id = referrerId(part);
      const entry = totals.get(id) ?? { referrerRef: part.referrerRef, referrerModel: part.referrerModel, conversions: 0, amount: null, gross: 0, reversed: 0 };
      entry.conversions += row.qualifying;
      entry.gross += row.gross;
      entry.reversed += row.reversed;
      totals.set(id, entry);
    }
  }
  const net = (entry: { gross: number; reversed: number }) => entry.gross - entry.reversed;
  const ranked = [...totals.values()].sort(
    (a, b) =>
      (rank.currency ? net(b) - net(a) : 0) ||
      b.conversions - a.conversions ||
      compareRefs(a.referrerRef, b.referrerRef) ||
      (a.referrerModel < b.referrerModel ? -1 : a.referrerModel > b.referrerModel ? 1 : 0),
  );
  return ranked.slice(0, rank.limit).map(({ referrerRef, referrerModel, conversions, gross, reversed }) => ({
    referrerRef,
    referrerModel,
    conversions,
    amount: rank.currency ? { currency: rank.currency, sales: conversions, gross, reversed, net: gross - reversed } : null,
  }));
};
