import { ValidationError } from '../kernel/errors.js';
import { assertTransition, type ReferralStatus } from './status.js';

export interface ReversalState {
  status: ReferralStatus;
  /** The sale's amount in minor units, null when the host gave none. */
  amount: number | null;
  currency: string | null;
  reversals?: readonly { refundKey: string }[] | undefined;
  reversedAmount?: number | undefined;
}

export interface RequestedReversal {
  refundKey: string;
  amount?: number | undefined;
  currency?: string | undefined;
}

export type ReversalOutcome =
  | { kind: 'replay' }
  | { kind: 'apply'; amount: number | undefined; reversedAmount: number | undefined; convertedAmount: number | undefined; fully: boolean };

const refused = (field: string, message: string) => new ValidationError([{ field, message }]);

/**
 * Pure rule for a refund or chargeback: a known refund key is a replay; otherwise the amount
 * (default: what is left), in the sale's currency and minor units, may not exceed what is left,
 * and the referral is fully reversed once nothing is left. Only converted or approved referrals reverse.
 */
export const planReversal = (state: ReversalState, requested: RequestedReversal): ReversalOutcome => {
  if (state.reversals?.some((r) => r.refundKey === requested.refundKey)) return { kind: 'replay' };
  assertTransition(state.status, 'reverse');
  const convertedAmount = state.amount ?? undefined;
  if (convertedAmount === undefined) {
    if (requested.amount !== undefined) throw refused('input.amount', 'The sale was recorded without an amount: reverse it whole');
    return { kind: 'apply', amount: undefined, reversedAmount: undefined, convertedAmount: undefined, fully: true };
  }
  if (requested.currency !== undefined && requested.currency !== state.currency) {
    throw refused('input.currency', `The sale is in ${state.currency}; a refund in ${requested.currency} cannot be taken from it`);
  }
  const already = state.reversedAmount ?? 0;
  const left = convertedAmount - already;
  const amount = requested.amount ?? left;
  if (amount > left) throw refused('input.amount', `Only ${left} of ${convertedAmount} ${state.currency} (minor units) is left to reverse`);
  const reversedAmount = already + amount;
  return { kind: 'apply', amount, reversedAmount, convertedAmount, fully: reversedAmount >= convertedAmount };
};
