import type { z } from 'zod';
import type { approverObjectSchema, decisionSchema, orderSchema, statusSchema, thresholdSchema } from './schema.js';

/**
 * Approval shapes, structurally @classytic/primitives' `workflow/approval` (PACKAGE_RULES.md,
 * "Compatibility shapes"): what the engine stores is readable by primitives' own helpers, and
 * primitives' inputs and chains are accepted as they are.
 */

export type ApprovalStatus = z.infer<typeof statusSchema>;
export type ChainOrder = z.infer<typeof orderSchema>;

export type Approver = Readonly<z.infer<typeof approverObjectSchema>>;

export type ApprovalDecision = Readonly<z.infer<typeof decisionSchema>>;

/**
 * When a step applies: it is skipped, with the reason recorded, unless `field` (a dot path into
 * the referral, e.g. `amount`) `op` `value` holds. A field that is not a number keeps the step.
 */
export type ApprovalThreshold = Readonly<z.infer<typeof thresholdSchema>>;

export interface ApprovalStep {
  readonly id: string;
  readonly name?: string;
  readonly approvers: readonly Approver[];
  readonly requiredApprovals: number;
  readonly threshold?: ApprovalThreshold;
  readonly status: ApprovalStatus;
  readonly decisions: readonly ApprovalDecision[];
  readonly skippedReason?: string;
}

export interface ApprovalChain {
  readonly order: ChainOrder;
  readonly steps: readonly ApprovalStep[];
  readonly status: ApprovalStatus;
  readonly notRequiredReason?: string;
}

export interface CreateStepInput {
  readonly id: string;
  readonly name?: string;
  /** Approver objects as in primitives; plain id strings are accepted too. */
  readonly approvers: readonly (Approver | string)[];
  readonly requiredApprovals?: number;
  readonly threshold?: ApprovalThreshold;
}

export interface CreateChainInput {
  /** Defaults to `sequential`. */
  readonly order?: ChainOrder;
  readonly steps: readonly CreateStepInput[];
}

export interface DecisionInput {
  readonly stepId: string;
  readonly approverId: string;
  readonly decision: ApprovalDecision['decision'];
  readonly note?: string;
  readonly decidedAt?: Date;
}

export interface AssertApprovedOptions {
  readonly message?: string;
}
