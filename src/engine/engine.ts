import type { SaleOutcome } from '../attribution/checkout.js';
import type { AttributionExplanation } from '../attribution/explain.js';
import type { AttributeSaleInput, AttributeSignupInput, TrackVisitInput } from '../attribution/inputs.js';
import type { ReferralLeadRecord } from '../attribution/lead.model.js';
import type { LeadPage, ListLeadsOptions } from '../attribution/lead-listing.js';
import type { ReferralTouchRecord } from '../attribution/touch.model.js';
import type { ReferralCodeRepository } from '../codes/repository.js';
import type { ResolvedCode } from '../codes/resolver.js';
import type { ReferralContext } from '../kernel/context.js';
import type { Ref } from '../kernel/ids.js';
import type { ReferralRecord } from '../referrals/model.js';
import type { ReferralRepository } from '../referrals/repository.js';
import type { ReferralStats } from '../stats/referral-stats.js';
import type { SyncIndexesReport } from '../store/sync-indexes.js';
import type { ReferralEvents } from './events-facade.js';
import type { ReferralModels } from './models.js';
import type { ReferralReferrers } from './referrers-facade.js';

/** The referrer behind a code. */
export type ResolvedReferrer = ResolvedCode;

export interface ReferralEngine {
  readonly repositories: { readonly referralCode: ReferralCodeRepository; readonly referral: ReferralRepository<AttributionExplanation> };
  readonly models: ReferralModels;
  readonly events: ReferralEvents;
  /** A referrer's standing: `suspend({ referrerRef, referrerModel?, reason }, ctx)`, `resume({ referrerRef, referrerModel? }, ctx)`. */
  readonly referrers: ReferralReferrers;
  /** Dashboards: `forReferrer(ref, ctx)`, `funnel({ referrerRef | code, from, to }, ctx)`, `leaderboard({ from, to, limit?, currency? }, ctx)`. */
  readonly stats: ReferralStats;
  /** The referrer behind a code, or null for unknown, deactivated and deleted codes. One indexed read. */
  resolveReferrer(code: string, ctx: ReferralContext): Promise<ResolvedReferrer | null>;
  /**
   * Checkout in one call: find the referrer (code, else touches, per `attribution`) and record
   * the sale. Null when nothing attributes it (no or an unknown, deactivated, expired or
   * exhausted code, no touch in the window).
   */
  attributeSale(input: AttributeSaleInput, ctx: ReferralContext): Promise<ReferralRecord | null>;
  /** attributeSale, telling a new sale from a replay without an extra query: `{ referral, created }`, or null. */
  attributeSaleWithOutcome(input: AttributeSaleInput, ctx: ReferralContext): Promise<SaleOutcome | null>;
  /**
   * Who referred whom, at signup (`attribution.leads: true`): `{ code | visitorId, refereeRef, refereeModel,
   * metadata?, signals?, signedUpAt? }`. Once per referee per tenant (the first signup wins); null
   * when nothing attributes it. A later sale for the referee goes to this lead's referrer.
   */
  attributeSignup(input: AttributeSignupInput, ctx: ReferralContext): Promise<ReferralLeadRecord | null>;
  /** A referrer's friends, newest first: who joined (`signed_up`) and who has bought (`converted`). Keyset pagination. */
  listLeadsForReferrer(referrerRef: Ref, options: ListLeadsOptions, ctx: ReferralContext): Promise<LeadPage>;
  /** Records a visit through a referral link (`{ code, visitorId, at? }`); null for a code that cannot attribute. */
  trackVisit(input: TrackVisitInput, ctx: ReferralContext): Promise<ReferralTouchRecord | null>;
  /** Creates the declared indexes and drops stale ones this package owns. Call at deploy. */
  syncIndexes(): Promise<SyncIndexesReport>;
  /** Stops relays, writes pending acks, unregisters the models and closes what the engine owns; idempotent. Never closes the connection. */
  destroy(): Promise<void>;
  /** The family's name for `destroy()`: the same teardown. */
  close(): Promise<void>;
}
