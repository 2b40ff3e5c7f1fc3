import type { mongo } from 'mongoose';
import type { ApprovalChain, CreateChainInput } from '../approval/types.js';
import type { CodeDeps } from '../codes/deps.js';
import type { FraudGuard } from '../guards/types.js';
import type { ReferralDraft } from '../kernel/draft.js';
import type { ReferralReferrerRecord } from '../referrers/model.js';
import type { ReferralRecord } from './model.js';

export interface ReviewConfig {
  /**
   * Return a chain for referrals that need review (a primitives `CreateChainInput`, or a whole
   * `ApprovalChain`, whose statuses are recomputed), null for those a single decision settles.
   * Step thresholds are evaluated against the draft.
   */
  chain?: (referral: ReferralDraft) => CreateChainInput | ApprovalChain | null | undefined;
  /**
   * Days a referral that no chain and no flag holds waits before `settleHeld()` approves it (as
   * Rewardful moves commissions from pending to due). Unset: such referrals wait for a decision.
   */
  holdDays?: number;
}

/** What the referral verbs need from the engine: the code verbs' needs, plus their own. */
export interface ReferralDeps extends CodeDeps {
  referrals: mongo.Collection<ReferralRecord>;
  /** Referrers' standing: the fence reads it before a new sale or lead stands. */
  referrers: mongo.Collection<ReferralReferrerRecord>;
  review: ReviewConfig | undefined;
  guards: readonly FraudGuard[];
}
