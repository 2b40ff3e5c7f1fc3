export { activeSteps, applyDecision, assertApproved, createChain, isApproved, pendingSteps, skipStep } from './chain.js';
export type {
  ApprovalChain,
  ApprovalChainInput,
  ApprovalDecision,
  ApprovalOrder,
  ApprovalStatus,
  ApprovalStep,
  ApprovalStepInput,
  Approver,
  DecisionInput,
  SkipInput,
} from './types.js';
