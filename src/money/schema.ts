import { z } from 'zod';

/** ISO 4217 codes as the runtime's ICU knows them (Node ships full ICU): a typo such as `USX` is refused. */
const KNOWN_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/** An integer amount in minor units, as a number check (refunds add `.positive()`). */
export const minorUnitsNumber = z
  .number({ error: 'Expected an integer amount in minor units' })
  .int('Must be an integer in minor units (e.g. cents), not a fraction')
  .nonnegative('Must not be negative')
  .max(Number.MAX_SAFE_INTEGER, 'Must be a safe integer');

/** An amount in minor units (cents for USD, yen for JPY): a safe, non-negative integer, never a float; `-0` is stored as 0. */
export const minorUnitsSchema = minorUnitsNumber.transform((value) => (Object.is(value, -0) ? 0 : value));

/** A three-letter ISO 4217 code; lower case is accepted and stored upper case (`usd` → `USD`). */
export const currencySchema = z
  .string({ error: 'Expected a three-letter ISO 4217 currency code' })
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, 'Must be a three-letter ISO 4217 currency code')
  .refine((code) => KNOWN_CURRENCIES.has(code), 'Not an ISO 4217 currency code');

/** The money fields of a sale: both or neither, so no amount is ever summed without its currency. */
export const moneyFields = { amount: minorUnitsSchema.optional(), currency: currencySchema.optional() };

/** The refinement every object carrying `moneyFields` runs. */
export const checkMoneyPair = (input: { amount?: number | undefined; currency?: string | undefined }, ctx: z.RefinementCtx): void => {
  if (input.amount !== undefined && input.currency === undefined) ctx.addIssue({ code: 'custom', path: ['currency'], message: 'Required with amount' });
  if (input.currency !== undefined && input.amount === undefined) ctx.addIssue({ code: 'custom', path: ['amount'], message: 'Required with currency' });
};

/** A sale counts as a qualifying conversion unless it carries an amount of 0 (a free order). */
export const isQualifying = (sale: { amount?: number | null | undefined }): boolean => sale.amount !== 0;

/** A sale's money as events carry it: both fields when the sale has an amount, else neither. */
export const saleMoney = (sale: { amount?: number | null; currency?: string | null }): { amount?: number; currency?: string } =>
  typeof sale.amount === 'number' && sale.currency ? { amount: sale.amount, currency: sale.currency } : {};
