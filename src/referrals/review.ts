import type { Types } from 'mongoose';
import { applyDecision, pendingSteps } from '../approval/chain.js';
import { chainFor, normalizeChain } from '../approval/normalize.js';
import type { ApprovalChainLike } from '../approval/schema.js';
import type { ApprovalChain } from '../approval/types.js';
import { ApprovalError } from '../kernel/errors.js';
import { canonicalId } from '../kernel/ids.js';
import type { CallScope } from '../store/scope.js';
import type { ReferralDeps } from './deps.js';
import { decisionEvent } from './events.js';
import type { ReferralDecision, ReferralRecord } from './model.js';
import { queueFields } from './review-state.js';
import { assertTransition, REFERRAL_TRANSITIONS } from './status.js';
import { changeReferral, type ReferralChange } from './transition.js';

type Settled = 'approved' | 'rejected';

/** The step a decision goes to when the caller names none: the first active step that lists the approver. */
const stepFor = (chain: ApprovalChain, approverId: string): string => {
  const active = pendingSteps(chain);
  const id = canonicalId(approverId);
  const lists = (step: (typeof active)[number]) => step.approvers.some((a) => a.id === id);
  const step = active.find((s) => lists(s) && !s.decisions.some((d) => d.approverId === id)) ?? active.find(lists) ?? active[0];
  if (!step) throw new ApprovalError('STEP_NOT_ACTIVE', `the chain is ${chain.status}; no step takes decisions`, { status: chain.status });
  return step.id;
};

/**
 * Pure: the change one approve/reject decision makes. Without a chain it settles the referral;
 * with one it is recorded on a step of the chain (whose statuses are recomputed, never read as
 * stored), and the referral settles when the chain does. A chain with nothing outstanding
 * (every step approved or skipped) lets the decision settle the referral directly.
 */
const decide = (current: ReferralRecord, to: Settled, decision: ReferralDecision): Omit<ReferralChange, 'events'> => {
  assertTransition(current.status, to === 'approved' ? 'approve' : 'reject');
  const status = REFERRAL_TRANSITIONS[to === 'approved' ? 'approve' : 'reject'].to;
  const settle = { status, decidedAt: decision.decidedAt };
  if (!current.approvals) return { set: settle, decision };
  const chain = normalizeChain(current.approvals as ApprovalChainLike);
  if (chain.status === 'approved') return { set: { approvals: chain, ...settle }, decision };
  if (chain.status === 'rejected') {
    if (to === 'approved') throw new ApprovalError('CHAIN_INCOMPLETE', "approval chain has not reached 'approved' (status='rejected')", { status: 'rejected' });
    return { set: { approvals: chain, ...settle }, decision };
  }
  const approvals = applyDecision(chain, {
    stepId: decision.stepId ?? stepFor(chain, decision.decidedBy),
    approverId: decision.decidedBy,
    decision: to,
    decidedAt: decision.decidedAt,
    ...(decision.note ? { note: decision.note } : decision.reason ? { note: decision.reason } : {}),
  });
  return { set: { approvals, ...(approvals.status === to ? settle : {}) }, decision };
};

/** Records an approve or reject decision; emits `referral:approved` / `referral:rejected` once the referral settles. */
export const settleReferral = (deps: ReferralDeps, scope: CallScope, id: Types.ObjectId, to: Settled, decision: ReferralDecision): Promise<ReferralRecord> =>
  changeReferral(deps, scope, id, decision, (current) => {
    const change = decide(current, to, decision);
    const events = change.set.status === to ? [decisionEvent(current, to, decision, scope.ctx)] : [];
    const refiled = change.set.approvals ? queueFields(change.set.approvals, current.review?.flagged === true) : {};
    return { ...change, set: { ...change.set, ...refiled }, events };
  });

/**
 * Replaces the approval chain of a referral still under review (status `converted`). A supplied
 * primitives chain keeps its decisions and skips (recomputed); thresholds are evaluated against
 * the referral.
 */
export const replaceApprovals = (
  deps: ReferralDeps,
  scope: CallScope,
  id: Types.ObjectId,
  input: ApprovalChainLike,
  decision: ReferralDecision,
): Promise<ReferralRecord> =>
  changeReferral(deps, scope, id, decision, (current) => {
    assertTransition(current.status, 'updateApprovals');
    const approvals = chainFor(input, current);
    // A chain takes the referral out of any hold: only its approvers settle it now.
    return { set: { approvals, ...queueFields(approvals, current.review?.flagged === true), holdUntil: null }, decision, events: [] };
  });
