import { ApprovalError, ValidationError } from '../kernel/errors.js';
import { canonicalId } from '../kernel/ids.js';
import type { ApprovalChain, ApprovalChainInput, ApprovalStep, ApprovalStatus, DecisionInput, SkipInput } from './types.js';

/**
 * Pure approval-chain transitions: every function returns a new chain and never mutates its
 * input, so a caller can persist the result with a conditional update on the version it read.
 */

export const createChain = (input: ApprovalChainInput): ApprovalChain => {
  if (!input || !Array.isArray(input.steps) || input.steps.length === 0) {
    throw new ValidationError([{ field: 'steps', message: 'An approval chain needs at least one step' }]);
  }
  if (input.order !== undefined && input.order !== 'sequential' && input.order !== 'parallel') {
    throw new ValidationError([{ field: 'order', message: 'Expected "sequential" or "parallel"' }]);
  }
  const stepIds = new Set<string>();
  const steps = input.steps.map((step, index): ApprovalStep => {
    if (typeof step.id !== 'string' || step.id.trim() === '') throw new ValidationError([{ field: `steps.${index}.id`, message: 'Must be a non-empty string' }]);
    if (stepIds.has(step.id)) throw new ValidationError([{ field: `steps.${index}.id`, message: `Step id "${step.id}" is used twice` }]);
    stepIds.add(step.id);
    if (!Array.isArray(step.approvers)) throw new ValidationError([{ field: `steps.${index}.approvers`, message: 'Expected an array' }]);
    const approvers: { id: string }[] = (step.approvers as ReadonlyArray<string | { id?: unknown }>).map((approver) => ({ id: canonicalId(String(typeof approver === 'string' ? approver : approver?.id ?? '')) }));
    if (approvers.some((a) => a.id.trim() === '')) throw new ValidationError([{ field: `steps.${index}.approvers`, message: 'Approver ids must be non-empty' }]);
    if (new Set(approvers.map((a) => a.id)).size !== approvers.length) {
      throw new ValidationError([{ field: `steps.${index}.approvers`, message: 'An approver is listed twice' }]);
    }
    const requiredApprovals = step.requiredApprovals ?? 1;
    if (!Number.isInteger(requiredApprovals) || requiredApprovals < 1 || requiredApprovals > approvers.length) {
      throw new ApprovalError('approval_invalid_quorum', `Step "${step.id}" requires ${requiredApprovals} approvals from ${approvers.length} approvers`, {
        stepId: step.id,
      });
    }
    return { id: step.id, approvers, requiredApprovals, status: 'pending', decisions: [] };
  });
  return { order: input.order ?? 'sequential', steps, status: 'pending' };
};

/** Steps that await a decision, whether or not they can take one yet. */
export const pendingSteps = (chain: ApprovalChain): ApprovalStep[] => chain.steps.filter((step) => step.status === 'pending');

/** Steps that can take a decision now: the first pending step (sequential) or every pending step (parallel). */
export const activeSteps = (chain: ApprovalChain): ApprovalStep[] => {
  if (chain.status !== 'pending') return [];
  const pending = pendingSteps(chain);
  return chain.order === 'sequential' ? pending.slice(0, 1) : pending;
};

const chainStatus = (steps: readonly ApprovalStep[]): ApprovalStatus => {
  if (steps.some((step) => step.status === 'rejected')) return 'rejected';
  if (steps.some((step) => step.status === 'pending')) return 'pending';
  // Skips alone approve nothing: at least one step must have been approved by its quorum.
  return steps.some((step) => step.status === 'approved') ? 'approved' : 'skipped';
};

const requireChain = (chain: ApprovalChain | null | undefined): ApprovalChain => {
  if (!chain) throw new ApprovalError('approval_chain_missing', 'The referral has no approval chain');
  return chain;
};

const findStep = (chain: ApprovalChain, stepId: string): ApprovalStep => {
  const step = chain.steps.find((s) => s.id === stepId);
  if (!step) throw new ApprovalError('approval_unknown_step', `No step "${stepId}" in the chain`, { stepId });
  return step;
};

const replaceStep = (chain: ApprovalChain, next: ApprovalStep): ApprovalChain => {
  const steps = chain.steps.map((step) => (step.id === next.id ? next : step));
  return { ...chain, steps, status: chainStatus(steps) };
};

const selectStep = (chain: ApprovalChain, input: DecisionInput): ApprovalStep => {
  const active = activeSteps(chain);
  if (input.stepId !== undefined) {
    const step = findStep(chain, input.stepId);
    if (!active.includes(step)) throw new ApprovalError('approval_step_not_active', `Step "${step.id}" cannot take decisions now`, { stepId: step.id, status: step.status });
    return step;
  }
  if (active.length === 0) throw new ApprovalError('approval_step_not_active', `The chain is ${chain.status}; no step takes decisions`);
  const listed = active.find((step) => step.approvers.some((a) => a.id === input.approverId) && !step.decisions.some((d) => d.approverId === input.approverId));
  return listed ?? active.find((step) => step.approvers.some((a) => a.id === input.approverId)) ?? active[0]!;
};

/** Records one approver's decision on an active step; a rejection rejects the step and the chain. */
export const applyDecision = (chainOrNull: ApprovalChain | null | undefined, decisionInput: DecisionInput): ApprovalChain => {
  const chain = requireChain(chainOrNull);
  const input = { ...decisionInput, approverId: canonicalId(decisionInput.approverId) };
  const step = selectStep(chain, input);
  if (!step.approvers.some((a) => a.id === input.approverId)) {
    throw new ApprovalError('approval_approver_not_listed', `Approver is not listed on step "${step.id}"`, { stepId: step.id });
  }
  if (step.decisions.some((d) => d.approverId === input.approverId)) {
    throw new ApprovalError('approval_already_decided', `Approver already decided step "${step.id}"`, { stepId: step.id });
  }
  const decision = { approverId: input.approverId, decision: input.decision, decidedAt: input.at ?? new Date(), ...(input.note ? { note: input.note } : {}) };
  const decisions = [...step.decisions, decision];
  const approvals = decisions.filter((d) => d.decision === 'approved').length;
  const status: ApprovalStatus = input.decision === 'rejected' ? 'rejected' : approvals >= step.requiredApprovals ? 'approved' : 'pending';
  return replaceStep(chain, { ...step, decisions, status });
};

/** Skips a pending step with a reason; a chain of skips alone ends `skipped`, never `approved`. */
export const skipStep = (chainOrNull: ApprovalChain | null | undefined, stepId: string, input: SkipInput): ApprovalChain => {
  const chain = requireChain(chainOrNull);
  const step = findStep(chain, stepId);
  if (step.status !== 'pending' || chain.status !== 'pending') {
    throw new ApprovalError('approval_step_not_active', `Step "${stepId}" is ${step.status}; only pending steps can be skipped`, { stepId, status: step.status });
  }
  if (typeof input.reason !== 'string' || input.reason.trim() === '') {
    throw new ValidationError([{ field: 'reason', message: 'Skipping a step needs a reason' }]);
  }
  return replaceStep(chain, { ...step, status: 'skipped', skipReason: input.reason.trim() });
};

/** Only an existing chain whose status is `approved` counts; an absent chain is never approved. */
export const isApproved = (chain: ApprovalChain | null | undefined): boolean => chain?.status === 'approved';

export const assertApproved = (chain: ApprovalChain | null | undefined): void => {
  const present = requireChain(chain);
  if (present.status !== 'approved') {
    throw new ApprovalError('approval_chain_incomplete', `The approval chain is ${present.status}`, { status: present.status });
  }
};
