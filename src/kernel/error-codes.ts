/** @classytic/primitives' approval error codes (src/workflow/approval.ts), as they are there. */
export const APPROVAL_ERROR_CODES = [
  'EMPTY_STEPS',
  'DUPLICATE_STEP_ID',
  'EMPTY_APPROVERS',
  'DUPLICATE_APPROVER_ID',
  'INVALID_QUORUM',
  'UNKNOWN_STEP',
  'UNAUTHORIZED_APPROVER',
  'STEP_NOT_ACTIVE',
  'STEP_ALREADY_DECIDED_BY_APPROVER',
  'CHAIN_INCOMPLETE',
  'CHAIN_MISSING',
] as const;

export type ApprovalErrorCode = (typeof APPROVAL_ERROR_CODES)[number];

/** Every code a ReferralError can carry; the README's Errors table lists exactly these. */
export const REFERRAL_ERROR_CODES = [
  'validation_failed',
  'tenant_required',
  'code_not_found',
  'referral_not_found',
  'self_referral',
  'invalid_transition',
  'duplicate',
  'replay_conflict',
  'contention',
  'publish_timeout',
  'call_timeout',
  'event_parked',
  'code_space_exhausted',
  'code_taken',
  'code_reserved',
  'code_limit_reached',
  'referrer_suspended',
  'fraud_rejected',
  'engine_conflict',
  'engine_destroyed',
  ...APPROVAL_ERROR_CODES,
] as const;

export type ReferralErrorCode = (typeof REFERRAL_ERROR_CODES)[number];
