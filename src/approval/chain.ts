import { ApprovalError } from '../kernel/errors.js';
import { canonicalId } from '../kernel/ids.js';
import type {
  ApprovalChain,
  ApprovalDecision,
  ApprovalStatus,
  ApprovalStep,
  Approver,
  AssertApprovedOptions,
  CreateChainInput,
  DecisionInput,
} from './types.js';

/**
 * Pure approval-chain transitions with @classytic/primitives' names, signatures, statuses and
 * error codes: every function returns a new chain and never mutates its input. Approver ids
 * are kept in one spelling (a 24-hex id in lower case), so a decision by an ObjectId matches.
 */

const approverOf = (approver: Approver | string): Approver =>
  typeof approver === 'string' ? { id: canonicalId(approver) } : { ...approver, id: canonicalId(approver.id) };

const assertQuorum = (stepId: string, quorum: number, approvers: number): void => {
  if (!Number.isInteger(quorum) || quorum < 1 || quorum > approvers) {
    throw new ApprovalError('INVALID_QUORUM', `step ${stepId}: requiredApprovals must be integer in [1, ${approvers}], got ${quorum}`, { stepId });
  }
};

const assertUniqueApprovers = (stepId: string, approvers: readonly Approver[]): void => {
  if (approvers.length === 0) throw new ApprovalError('EMPTY_APPROVERS', `step ${stepId} has no approvers`, { stepId });
  const seen = new Set<string>();
  for (const { id } of approvers) {
    if (seen.has(id)) throw new ApprovalError('DUPLICATE_APPROVER_ID', `step ${stepId} has duplicate approver id: ${id}`, { stepId });
    seen.add(id);
  }
};

/** Build a fresh chain in `pending` state. Validates inputs. */
export const createChain = (input: CreateChainInput): ApprovalChain => {
  if (input.steps.length === 0) throw new ApprovalError('EMPTY_STEPS', 'chain must have at least one step');
  const stepIds = new Set<string>();
  const steps = input.steps.map((step): ApprovalStep => {
    if (stepIds.has(step.id)) throw new ApprovalError('DUPLICATE_STEP_ID', `duplicate step id: ${step.id}`, { stepId: step.id });
    stepIds.add(step.id);
    const approvers = step.approvers.map(approverOf);
    assertUniqueApprovers(step.id, approvers);
    const requiredApprovals = step.requiredApprovals ?? 1;
    assertQuorum(step.id, requiredApprovals, approvers.length);
    return {
      id: step.id,
      ...(step.name === undefined ? {} : { name: step.name }),
      approvers,
      requiredApprovals,
      ...(step.threshold === undefined ? {} : { threshold: step.threshold }),
      status: 'pending',
      decisions: [],
    };
  });
  return { order: input.order ?? 'sequential', steps, status: 'pending' };
};

/** The chain of a subject that needs no approval: zero steps, already `approved`. */
export const notRequiredChain = (reason: string): ApprovalChain => ({
  order: 'sequential',
  steps: [],
  status: computeChainStatus([]),
  notRequiredReason: reason,
});

/** The next step awaiting a decision, or null. */
export const nextPendingStep = (chain: ApprovalChain): ApprovalStep | null => chain.steps.find((step) => step.status === 'pending') ?? null;

/** Steps that can take a decision now: the next pending step (sequential) or every pending step (parallel). */
export const pendingSteps = (chain: ApprovalChain): readonly ApprovalStep[] => {
  if (chain.order === 'sequential') {
    const next = nextPendingStep(chain);
    return next ? [next] : [];
  }
  return chain.steps.filter((step) => step.status === 'pending');
};

/** A step's status from its decisions: any rejection rejects it; a quorum of approvals approves it. */
export const computeStepStatus = (step: ApprovalStep): ApprovalStep => {
  if (step.decisions.some((d) => d.decision === 'rejected')) return { ...step, status: 'rejected' };
  if (step.decisions.filter((d) => d.decision === 'approved').length >= step.requiredApprovals) return { ...step, status: 'approved' };
  return step;
};

/** Any step rejected: rejected; every step approved or skipped: approved; else pending. */
export const computeChainStatus = (steps: readonly ApprovalStep[]): ApprovalStatus => {
  if (steps.some((step) => step.status === 'rejected')) return 'rejected';
  return steps.every((step) => step.status === 'approved' || step.status === 'skipped') ? 'approved' : 'pending';
};

const stepAt = (chain: ApprovalChain, stepId: string): { step: ApprovalStep; index: number } => {
  const index = chain.steps.findIndex((s) => s.id === stepId);
  const step = chain.steps[index];
  if (!step) throw new ApprovalError('UNKNOWN_STEP', `no step with id ${stepId}`, { stepId });
  return { step, index };
};

const withStep = (chain: ApprovalChain, index: number, step: ApprovalStep): ApprovalChain => {
  const steps = chain.steps.map((s, i) => (i === index ? step : s));
  return { order: chain.order, steps, status: computeChainStatus(steps) };
};

/** Apply a decision to an active step. Throws if the step is unknown, not active, the approver isn't listed, or already decided. */
export const applyDecision = (chain: ApprovalChain, input: DecisionInput): ApprovalChain => {
  const { step, index } = stepAt(chain, input.stepId);
  if (!pendingSteps(chain).some((s) => s.id === input.stepId)) {
    throw new ApprovalError('STEP_NOT_ACTIVE', `step ${input.stepId} is not currently active (status=${step.status})`, {
      stepId: input.stepId,
      status: step.status,
    });
  }
  const approverId = canonicalId(input.approverId);
  if (!step.approvers.some((a) => a.id === approverId)) {
    throw new ApprovalError('UNAUTHORIZED_APPROVER', `approver ${approverId} is not listed on step ${input.stepId}`, { stepId: input.stepId });
  }
  if (step.decisions.some((d) => d.approverId === approverId)) {
    throw new ApprovalError('STEP_ALREADY_DECIDED_BY_APPROVER', `approver ${approverId} has already decided on step ${input.stepId}`, { stepId: input.stepId });
  }
  const decision: ApprovalDecision = {
    approverId,
    decision: input.decision,
    ...(input.note === undefined ? {} : { note: input.note }),
    decidedAt: input.decidedAt ?? new Date(),
  };
  return withStep(chain, index, computeStepStatus({ ...step, decisions: [...step.decisions, decision] }));
};

/** Mark a pending step skipped (a host-evaluated condition says it is not required); skipped counts as completed. */
export const skipStep = (chain: ApprovalChain, stepId: string, reason?: string): ApprovalChain => {
  const { step, index } = stepAt(chain, stepId);
  if (step.status !== 'pending')
    throw new ApprovalError('STEP_NOT_ACTIVE', `step ${stepId} cannot be skipped (status=${step.status})`, { stepId, status: step.status });
  return withStep(chain, index, { ...step, status: 'skipped', ...(reason === undefined ? {} : { skippedReason: reason }) });
};

export const isApproved = (chain: ApprovalChain): boolean => chain.status === 'approved';
export const isRejected = (chain: ApprovalChain): boolean => chain.status === 'rejected';
export const isPending = (chain: ApprovalChain): boolean => chain.status === 'pending';
/** Built by notRequiredChain (nobody was asked), as opposed to granted. */
export const isNotRequired = (chain: ApprovalChain): boolean => chain.steps.length === 0;
export const decisionCount = (chain: ApprovalChain): number => chain.steps.reduce((n, step) => n + step.decisions.length, 0);

/** The finalize-time gate: a chain must exist (`CHAIN_MISSING`) and be approved (`CHAIN_INCOMPLETE`). */
export const assertApproved = (chain: ApprovalChain | null | undefined, options: AssertApprovedOptions = {}): void => {
  if (chain == null)
    throw new ApprovalError(
      'CHAIN_MISSING',
      options.message ?? 'no approval chain present at a gate that requires one; an absent chain is not an approved one',
    );
  if (!isApproved(chain))
    throw new ApprovalError('CHAIN_INCOMPLETE', options.message ?? `approval chain has not reached 'approved' (status='${chain.status}')`, {
      status: chain.status,
    });
};

/** The explicit opt-out: enforce a chain when one is present, allow when none is. */
export const assertApprovedIfPresent = (chain: ApprovalChain | null | undefined, options: AssertApprovedOptions = {}): void => {
  if (chain != null) assertApproved(chain, options);
};
