import type { Types } from 'mongoose';
import type { CallScope } from '../store/scope.js';
import type { ReferralDeps } from './deps.js';
import { reversalEvent } from './events.js';
import type { ReferralRecord, ReferralReversal } from './model.js';
import { planReversal } from './reversal-rule.js';
import { assertTransition, REFERRAL_TRANSITIONS } from './status.js';
import { changeReferral } from './transition.js';

export interface Reversal {
  refundKey: string;
  reason: string;
  amount?: number | undefined;
  currency?: string | undefined;
}

/**
 * Records a refund or chargeback: idempotent per `refundKey`, partial amounts (minor units, in
 * the sale's currency) add up to at most the sale's `amount`, and the referral becomes `reversed` once nothing is left.
 */
export const reverseReferral = (deps: ReferralDeps, scope: CallScope, id: Types.ObjectId, input: Reversal): Promise<ReferralRecord> => {
  const reversedBy = scope.ctx.actorId ? String(scope.ctx.actorId) : 'system';
  return changeReferral(deps, scope, id, { action: 'reverse', decidedBy: reversedBy }, (current) => {
    const outcome = planReversal(current, input);
    if (outcome.kind === 'replay') return null;
    assertTransition(current.status, 'reverse');
    const at = scope.now;
    const status = outcome.fully ? REFERRAL_TRANSITIONS.reverse.to : current.status;
    const reversal: ReferralReversal = {
      refundKey: input.refundKey,
      reason: input.reason,
      ...(outcome.amount === undefined ? {} : { amount: outcome.amount }),
      reversedBy,
      reversedAt: at,
    };
    const event = reversalEvent(
      current,
      { ...outcome, currency: current.currency, status, refundKey: input.refundKey, reason: input.reason, fullyReversed: outcome.fully, reversedBy, at },
      scope.ctx,
    );
    return {
      set: { status, ...(outcome.reversedAmount === undefined ? {} : { reversedAmount: outcome.reversedAmount }) },
      reversal,
      decision: { action: 'reverse', decidedBy: reversedBy, decidedAt: at, reason: input.reason },
      events: [event],
    };
  });
};
