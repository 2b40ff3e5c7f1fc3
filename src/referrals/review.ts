import { applyDecision, createChain } from '../approval/chain.js';
import type { ApprovalChainInput } from '../approval/types.js';
import type { CallScope } from '../store/scope.js';
import type { Types } from 'mongoose';
import type { ReferralDeps } from './deps.js';
import { decisionEvent } from './events.js';
import type { ReferralDecision, ReferralRecord } from './model.js';
import { assertTransition, REFERRAL_TRANSITIONS } from './status.js';
import { changeReferral, type ReferralChange } from './transition.js';

type Settled = 'approved' | 'rejected';

/** Pure: the change one approve/reject decision makes (recorded on the chain when there is one). */
export const decide = (current: ReferralRecord, to: Settled, decision: ReferralDecision): Omit<ReferralChange, 'events'> => {
  assertTransition(current.status, to === 'approved' ? 'approve' : 'reject');
  const status = REFERRAL_TRANSITIONS[to === 'approved' ? 'approve' : 'reject'].to;
  if (!current.approvals) return { set: { status, decidedAt: decision.decidedAt }, decision };
  const approvals = applyDecision(current.approvals, {
    approverId: decision.decidedBy,
    decision: to,
    at: decision.decidedAt,
    ...(decision.stepId ? { stepId: decision.stepId } : {}),
    ...(decision.note ? { note: decision.note } : decision.reason ? { note: decision.reason } : {}),
  });
  const settled = approvals.status === to;
  return { set: { approvals, ...(settled ? { status, decidedAt: decision.decidedAt } : {}) }, decision };
};

/** Records an approve or reject decision; emits `referral:approved` / `referral:rejected` once the referral settles. */
export const settleReferral = (deps: ReferralDeps, scope: CallScope, id: Types.ObjectId, to: Settled, decision: ReferralDecision): Promise<ReferralRecord> =>
  changeReferral(deps, scope, id, (current) => {
    const change = decide(current, to, decision);
    const events = change.set.status === to ? [decisionEvent(deps.referrals.publisher, current, to, decision, scope.ctx)] : [];
    return { ...change, events };
  });

/** Replaces the approval chain of a referral still under review (status `converted`). */
export const replaceApprovals = (deps: ReferralDeps, scope: CallScope, id: Types.ObjectId, chainInput: ApprovalChainInput, decision: ReferralDecision): Promise<ReferralRecord> => {
  const approvals = createChain(chainInput);
  return changeReferral(deps, scope, id, (current) => {
    assertTransition(current.status, 'updateApprovals');
    return { set: { approvals }, decision, events: [] };
  });
};
