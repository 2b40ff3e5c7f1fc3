import { describe, expect, it } from 'vitest';
import { planReversal } from '../../src/referrals/reversal-rule.js';

const sale = (amount?: number, reversedAmount?: number, keys: string[] = []) => ({
  status: 'approved' as const,
  amount: amount ?? null,
  currency: amount === undefined ? null : 'USD',
  reversedAmount,
  reversals: keys.map((refundKey) => ({ refundKey })),
});

const refund = (refundKey: string, amount?: number, currency = 'USD') => (amount === undefined ? { refundKey } : { refundKey, amount, currency });

describe('planReversal', () => {
  it('reverses what is left by default and is then fully reversed', () => {
    expect(planReversal(sale(100), refund('re_1'))).toEqual({ kind: 'apply', amount: 100, reversedAmount: 100, convertedAmount: 100, fully: true });
  });

  it('adds partial amounts up to the converted amount', () => {
    expect(planReversal(sale(100), refund('re_1', 30))).toMatchObject({ amount: 30, reversedAmount: 30, fully: false });
    expect(planReversal(sale(100, 30, ['re_1']), refund('re_2', 70))).toMatchObject({ amount: 70, reversedAmount: 100, fully: true });
  });

  it('adds minor units exactly: refunds of 3333, 3333, 3330 and 3 reverse 9999 whole', () => {
    let state = sale(9999);
    for (const [i, amount] of [3333, 3333, 3330, 3].entries()) {
      const outcome = planReversal(state, refund(`re_${i}`, amount));
      if (outcome.kind !== 'apply') throw new Error('expected apply');
      state = { ...state, reversedAmount: outcome.reversedAmount, reversals: [...state.reversals, { refundKey: `re_${i}` }] };
      expect(outcome.fully).toBe(i === 3);
    }
    expect(state.reversedAmount).toBe(9999);
  });

  it('never reverses more than is left', () => {
    expect(() => planReversal(sale(100, 80, ['re_1']), refund('re_2', 30))).toThrow(/Only 20 of 100 USD/);
  });

  it('refuses a refund in another currency than the sale', () => {
    expect(() => planReversal(sale(100), refund('re_1', 10, 'EUR'))).toThrow(/The sale is in USD; a refund in EUR/);
  });

  it('treats a known refund key as a replay, whatever the status', () => {
    expect(planReversal({ ...sale(100, 100, ['re_1']), status: 'reversed' }, refund('re_1', 5))).toEqual({ kind: 'replay' });
  });

  it('reverses a sale without amounts only as a whole', () => {
    expect(planReversal(sale(), refund('re_1'))).toMatchObject({ kind: 'apply', fully: true, amount: undefined });
    expect(() => planReversal(sale(), refund('re_1', 10))).toThrow(/recorded without an amount/);
  });

  it('refuses rejected and already reversed referrals', () => {
    expect(() => planReversal({ ...sale(100), status: 'rejected' }, refund('re_1'))).toThrow(/Cannot move a referral from "rejected"/);
    expect(() => planReversal({ ...sale(100, 100, ['re_1']), status: 'reversed' }, refund('re_2'))).toThrow(/from "reversed"/);
  });
});
