import type { Types } from 'mongoose';
import { type CurrencyTotals, foldCurrencyTotals, MONEY_SUMS, type MoneyRow } from '../money/totals.js';
import type { LeadRow, SaleRow } from './rollup.model.js';

const SALE_SUMS = { sales: { $sum: 1 }, qualifying: { $sum: { $cond: [{ $eq: ['$amount', 0] }, 0, 1] } }, ...MONEY_SUMS } as const;

/** A row of a time series' records: the bucket index it falls in, when the read was bucketed. */
export type Bucketed<R> = R & { bucket?: number };

const byBucket = (bucket: unknown) => (bucket === undefined ? {} : { b: bucket });

/** The rows of a set of sales (live ones `match` finds): one per code, status and currency (and bucket, given its expression). */
export const saleRowsPipeline = (match: Record<string, unknown>, bucket?: unknown) => [
  { $match: match },
  { $group: { _id: { codeId: '$codeId', status: '$status', currency: '$currency', ...byBucket(bucket) }, ...SALE_SUMS } },
];

/** The same sums per referrer, status and currency (a leaderboard's ends). */
export const salesByReferrer = (match: Record<string, unknown>) => ({
  $match: match,
  $group: { _id: { ref: '$referrerRef', model: '$referrerModel', status: '$status', currency: '$currency' }, ...SALE_SUMS },
});

/** The rows of a set of leads: one per code, with how many have bought (`firstConvertedAt` set). */
export const leadRowsPipeline = (match: Record<string, unknown>, bucket?: unknown) => [
  { $match: match },
  {
    $group: {
      _id: { codeId: '$codeId', ...byBucket(bucket) },
      leads: { $sum: 1 },
      converted: { $sum: { $cond: [{ $ifNull: ['$firstConvertedAt', false] }, 1, 0] } },
    },
  },
];

type Grouped<K> = { _id: K } & Omit<SaleRow, 'codeId' | 'status' | 'currency'>;

export const toSaleRow = ({
  _id,
  sales,
  qualifying,
  gross,
  reversed,
}: Grouped<{ codeId?: Types.ObjectId | null; status: string; currency?: string | null; b?: number }>): Bucketed<SaleRow> => ({
  ...(_id.b === undefined ? {} : { bucket: _id.b }),
  codeId: _id.codeId ?? null,
  status: _id.status,
  currency: _id.currency ?? null,
  sales,
  qualifying,
  gross,
  reversed,
});

export const toLeadRow = ({
  _id,
  leads,
  converted,
}: {
  _id: { codeId?: Types.ObjectId | null; b?: number };
  leads: number;
  converted: number;
}): Bucketed<LeadRow> => ({
  ...(_id.b === undefined ? {} : { bucket: _id.b }),
  codeId: _id.codeId ?? null,
  leads,
  converted,
});

const asMoneyRow = (row: SaleRow): MoneyRow => ({
  _id: { currency: row.currency, status: row.status },
  sales: row.sales,
  gross: row.gross,
  reversed: row.reversed,
});

/** Money per currency of `rows` (rejected sales aside), never summed across currencies. */
export const currencyTotals = (rows: readonly SaleRow[]): CurrencyTotals[] => foldCurrencyTotals(rows.map(asMoneyRow));

/** Sales of `rows` with one of `statuses` (all of them without). */
export const countSales = (rows: readonly SaleRow[], statuses?: ReadonlySet<string>): number =>
  rows.reduce((n, row) => n + (statuses === undefined || statuses.has(row.status) ? row.sales : 0), 0);

/** Only the rows of one code. */
export const ofCode = <R extends { codeId: Types.ObjectId | null }>(rows: readonly R[], codeId: Types.ObjectId): R[] =>
  rows.filter((row) => row.codeId?.equals(codeId));
