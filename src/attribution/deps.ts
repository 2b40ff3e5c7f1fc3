import type { mongo } from 'mongoose';
import type { ReferralDeps } from '../referrals/deps.js';
import type { ReferralBindingRecord } from './binding.model.js';
import type { ReferralLeadRecord } from './lead.model.js';
import type { AttributionPolicy } from './policy.js';
import type { ReferralTouchRecord } from './touch.model.js';

/** What checkout needs from the engine: the referral verbs' needs, plus touches and bindings. */
export interface AttributionDeps extends ReferralDeps {
  touches: mongo.Collection<ReferralTouchRecord>;
  leads: mongo.Collection<ReferralLeadRecord>;
  bindings: mongo.Collection<ReferralBindingRecord>;
  policy: AttributionPolicy;
}
