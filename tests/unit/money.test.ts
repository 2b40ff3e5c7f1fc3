import { describe, expect, it } from 'vitest';
import { currencySchema, isQualifying, minorUnitsSchema } from '../../src/money/schema.js';
import { foldCurrencyTotals, type MoneyRow } from '../../src/money/totals.js';

describe('money inputs', () => {
  it('takes safe non-negative integers in minor units, and stores -0 as 0', () => {
    expect(minorUnitsSchema.parse(4999)).toBe(4999);
    expect(Object.is(minorUnitsSchema.parse(-0), 0)).toBe(true);
    for (const bad of [-1, 49.99, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, '4999']) expect(minorUnitsSchema.safeParse(bad).success).toBe(false);
  });

  it('takes ISO 4217 codes the runtime knows, upper-cased', () => {
    expect(currencySchema.parse(' usd ')).toBe('USD');
    expect(currencySchema.parse('JPY')).toBe('JPY');
    for (const bad of ['USX', 'US', 'USDD', '€', '']) expect(currencySchema.safeParse(bad).success).toBe(false);
  });

  it('a sale qualifies unless it carries an amount of 0', () => {
    expect(isQualifying({ amount: 0 })).toBe(false);
    expect(isQualifying({ amount: 1 })).toBe(true);
    expect(isQualifying({ amount: null })).toBe(true);
    expect(isQualifying({})).toBe(true);
  });
});

describe('foldCurrencyTotals', () => {
  const row = (currency: string | null, status: string, sales: number, gross: number, reversed = 0): MoneyRow => ({
    _id: { currency, status },
    sales,
    gross,
    reversed,
  });

  it('totals each currency apart, leaves out rejected sales and sales without money, and sorts by code', () => {
    const rows = [
      row('USD', 'approved', 1, 5000, 3000),
      row('USD', 'reversed', 1, 1700, 1700),
      row('USD', 'rejected', 1, 5000),
      row('JPY', 'converted', 1, 900),
      row(null, 'converted', 4, 0),
    ];
    expect(foldCurrencyTotals(rows)).toEqual([
      { currency: 'JPY', sales: 1, gross: 900, reversed: 0, net: 900 },
      { currency: 'USD', sales: 2, gross: 6700, reversed: 4700, net: 2000 },
    ]);
  });

  it('never adds two currencies together', () => {
    const totals = foldCurrencyTotals([row('USD', 'converted', 1, 100), row('EUR', 'converted', 1, 100)]);
    expect(totals.map((t) => [t.currency, t.gross])).toEqual([
      ['EUR', 100],
      ['USD', 100],
    ]);
  });
});
