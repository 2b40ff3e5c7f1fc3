export {
  applyDecision,
  assertApproved,
  assertApprovedIfPresent,
  computeChainStatus,
  computeStepStatus,
  createChain,
  decisionCount,
  isApproved,
  isNotRequired,
  isPending,
  isRejected,
  nextPendingStep,
  notRequiredChain,
  pendingSteps,
  skipStep,
} from './chain.js';
export { applyThresholds, chainFor, normalizeChain } from './normalize.js';
export type { ApprovalChainLike } from './schema.js';
export type {
  ApprovalChain,
  ApprovalDecision,
  ApprovalStatus,
  ApprovalStep,
  ApprovalThreshold,
  Approver,
  AssertApprovedOptions,
  ChainOrder,
  CreateChainInput,
  CreateStepInput,
  DecisionInput,
} from './types.js';
