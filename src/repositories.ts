export { ReferralCodeRepository, type EraseOwner } from './codes/repository.js';
export { ReferralRepository, type RefereeServices } from './referrals/repository.js';
export { ReferralStats, type LeaderboardEntry, type ReferrerStats } from './referrals/stats.js';
export type { ReferralPage } from './referrals/listing.js';
export type { ReferralCodeRecord } from './codes/model.js';
export type { ReferralDecision, ReferralRecord, ReferralReversal } from './referrals/model.js';
export type { ReferralTouchRecord } from './attribution/touch.model.js';
export type { ReferralBindingRecord } from './attribution/binding.model.js';
export type { AttributionExplanation } from './attribution/explain.js';
