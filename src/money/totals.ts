/** Money of a set of sales in one currency, in minor units: never summed across currencies. */
export interface CurrencyTotals {
  currency: string;
  /** Sales in this currency. */
  sales: number;
  /** Sum of their amounts. */
  gross: number;
  /** Sum of what refunds and chargebacks took back. */
  reversed: number;
  /** gross − reversed: what the referrer may still be owed for. */
  net: number;
}

/** The sales of one currency and status: a count and their money (a sale without an amount adds to the count only). */
export interface MoneyRow {
  _id: { currency: string | null; status: string };
  sales: number;
  gross: number;
  reversed: number;
}

/** The money accumulators of a `$group` over sales: a sale without an amount adds nothing. */
export const MONEY_SUMS = {
  gross: { $sum: { $ifNull: ['$amount', 0] } },
  reversed: { $sum: { $ifNull: ['$reversedAmount', 0] } },
} as const;

/** Statuses whose money is owed or was owed: a rejected sale never was. */
export const MONEY_STATUSES: ReadonlySet<string> = new Set(['converted', 'approved', 'reversed']);

/** Folds such rows into one total per currency (sorted by code), over the statuses `counts` admits. */
export const foldCurrencyTotals = (rows: readonly MoneyRow[], counts: (status: string) => boolean = (s) => MONEY_STATUSES.has(s)): CurrencyTotals[] => {
  const byCurrency = new Map<string, CurrencyTotals>();
  for (const row of rows) {
    const { currency, status } = row._id;
    if (currency === null || !counts(status)) continue;
    const totals = byCurrency.get(currency) ?? { currency, sales: 0, gross: 0, reversed: 0, net: 0 };
    totals.sales += row.sales;
    totals.gross += row.gross;
    totals.reversed += row.reversed;
    totals.net = totals.gross - totals.reversed;
    byCurrency.set(currency, totals);
  }
  return [...byCurrency.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1));
};
