export { FraudRejectedError } from '../kernel/errors.js';
export { ownerIsRefereeGuard, referralLoopGuard, sameEmailGuard } from './builtins.js';
export { normalizeEmail } from './email.js';
export { runGuards } from './pipeline.js';
export type { FraudGuard, GuardContext, GuardDecision, GuardInput, GuardOutcome, GuardVerdict, IdentitySignals } from './types.js';
