import { ValidationError } from '../kernel/errors.js';
import { assertTransition, type ReferralStatus } from './status.js';

export interface ReversalState {
  status: ReferralStatus;
  metadata: Record<string, unknown> | null;
  reversals?: readonly { refundKey: string }[] | undefined;
  reversedAmount?: number | undefined;
}

export type ReversalOutcome =
  | { kind: 'replay' }
  | { kind: 'apply'; amount: number | undefined; reversedAmount: number | undefined; convertedAmount: number | undefined; fully: boolean };

/** The sale amount a reversal is measured against: a finite, non-negative `metadata.amount`. */
export const convertedAmountOf = (metadata: Record<string, unknown> | null): number | undefined => {
  const amount = metadata?.amount;
  return typeof amount === 'number' && Number.isFinite(amount) && amount >= 0 ? amount : undefined;
};

/**
 * Pure rule for a refund or chargeback: a known refund key is a replay; otherwise the amount
 * (default: what is left) may not exceed what is left of the converted amount, and the
 * referral is fully reversed once nothing is left. Only converted or approved referrals reverse.
 */
export const planReversal = (state: ReversalState, refundKey: string, requested: number | undefined): ReversalOutcome => {
  if (state.reversals?.some((r) => r.refundKey === refundKey)) return { kind: 'replay' };
  assertTransition(state.status, 'reverse');
  const convertedAmount = convertedAmountOf(state.metadata);
  if (convertedAmount === undefined) {
    if (requested !== undefined) throw new ValidationError([{ field: 'input.amount', message: 'The referral has no metadata.amount to reverse part of' }]);
    return { kind: 'apply', amount: undefined, reversedAmount: undefined, convertedAmount: undefined, fully: true };
  }
  const already = state.reversedAmount ?? 0;
  const left = Math.max(0, convertedAmount - already);
  const amount = requested ?? left;
  if (amount > left + Number.EPSILON * convertedAmount) {
    throw new ValidationError([{ field: 'input.amount', message: `Only ${left} of ${convertedAmount} is left to reverse` }]);
  }
  const reversedAmount = already + amount;
  return { kind: 'apply', amount, reversedAmount, convertedAmount, fully: reversedAmount >= convertedAmount };
};
