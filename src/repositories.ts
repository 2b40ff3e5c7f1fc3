export type { ReferralBindingRecord } from './attribution/binding.model.js';
export type { AttributionExplanation } from './attribution/explain.js';
export type { ReferralTouchRecord } from './attribution/touch.model.js';
export type { ReferralCodeRecord } from './codes/model.js';
export { type EraseOwner, ReferralCodeRepository } from './codes/repository.js';
export type { ReferralPage } from './referrals/listing.js';
export type { ReferralDecision, ReferralRecord, ReferralReversal } from './referrals/model.js';
export { ReferralRepository, type ReferralServices } from './referrals/repository.js';
export { type LeaderboardEntry, ReferralStats, type ReferrerStats } from './stats/referral-stats.js';
