/** Approval shapes, structurally the same as the @classytic family's ApprovalChain. */

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'skipped';
export type ApprovalOrder = 'sequential' | 'parallel';

export interface ApprovalDecision {
  approverId: string;
  decision: 'approved' | 'rejected';
  decidedAt: Date;
  note?: string;
}

export interface Approver {
  id: string;
}

export interface ApprovalStep {
  id: string;
  approvers: Approver[];
  requiredApprovals: number;
  status: ApprovalStatus;
  decisions: ApprovalDecision[];
  skipReason?: string;
}

export interface ApprovalChain {
  order: ApprovalOrder;
  steps: ApprovalStep[];
  status: ApprovalStatus;
}

export interface ApprovalStepInput {
  id: string;
  /** Approver ids, or `{ id }` objects as in the chain itself. */
  approvers: ReadonlyArray<string | Approver>;
  /** Quorum for the step; defaults to 1. */
  requiredApprovals?: number;
}

export interface ApprovalChainInput {
  order?: ApprovalOrder;
  steps: readonly ApprovalStepInput[];
}

export interface DecisionInput {
  approverId: string;
  decision: 'approved' | 'rejected';
  /** Which step to decide; defaults to the first active step that lists the approver. */
  stepId?: string;
  note?: string;
  at?: Date;
}

export interface SkipInput {
  reason: string;
  at?: Date;
}
