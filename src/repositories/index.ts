export { ReferralCodeRepository } from './referral-code.repository.js';
export { ReferralRepository, type ReferralPage } from './referral.repository.js';
export type { ReferralCodeRecord } from '../models/referral-code.model.js';
export type { ReferralDecision, ReferralRecord } from '../models/referral.model.js';
