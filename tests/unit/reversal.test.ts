import { describe, expect, it } from 'vitest';
import { convertedAmountOf, planReversal } from '../../src/referrals/reversal-rule.js';

const sale = (amount?: number, reversedAmount?: number, keys: string[] = []) => ({
  status: 'approved' as const,
  metadata: amount === undefined ? null : { amount },
  reversedAmount,
  reversals: keys.map((refundKey) => ({ refundKey })),
});

describe('planReversal', () => {
  it('reverses what is left by default and is then fully reversed', () => {
    expect(planReversal(sale(100), 're_1', undefined)).toEqual({ kind: 'apply', amount: 100, reversedAmount: 100, convertedAmount: 100, fully: true });
  });

  it('adds partial amounts up to the converted amount', () => {
    expect(planReversal(sale(100), 're_1', 30)).toMatchObject({ amount: 30, reversedAmount: 30, fully: false });
    expect(planReversal(sale(100, 30, ['re_1']), 're_2', 70)).toMatchObject({ amount: 70, reversedAmount: 100, fully: true });
  });

  it('never reverses more than is left', () => {
    expect(() => planReversal(sale(100, 80, ['re_1']), 're_2', 30)).toThrow(/Only 20 of 100/);
  });

  it('treats a known refund key as a replay, whatever the status', () => {
    expect(planReversal({ ...sale(100, 100, ['re_1']), status: 'reversed' }, 're_1', 5)).toEqual({ kind: 'replay' });
  });

  it('reverses a sale without amounts only as a whole', () => {
    expect(planReversal(sale(), 're_1', undefined)).toMatchObject({ kind: 'apply', fully: true, amount: undefined });
    expect(() => planReversal(sale(), 're_1', 10)).toThrow(/no metadata.amount/);
  });

  it('refuses rejected and already reversed referrals', () => {
    expect(() => planReversal({ ...sale(100), status: 'rejected' }, 're_1', undefined)).toThrow(/Cannot move a referral from "rejected"/);
    expect(() => planReversal({ ...sale(100, 100, ['re_1']), status: 'reversed' }, 're_2', undefined)).toThrow(/from "reversed"/);
  });

  it('reads only finite, non-negative numeric amounts', () => {
    expect(convertedAmountOf({ amount: '100' })).toBeUndefined();
    expect(convertedAmountOf({ amount: -1 })).toBeUndefined();
    expect(convertedAmountOf({ amount: 12.5 })).toBe(12.5);
  });
});
