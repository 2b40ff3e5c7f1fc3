import type { Types } from 'mongoose';
import type { ResolvedCode } from '../codes/resolver.js';
import type { Ref } from '../kernel/ids.js';

/** How the referrer of a sale was found; stored on the referral and in `referral:converted`. */
export type AttributionRule = 'code' | 'first_touch' | 'last_touch' | 'lifetime_binding' | 'named_referrer' | 'lead';

export interface ReferralAttribution {
  rule: AttributionRule;
  visitorId?: string;
  touchAt?: Date;
}

/** Who gets credit for a sale, however they were found. The one shape every path builds. */
export interface Referrer {
  ref: Ref;
  model: string;
  codeId: Types.ObjectId | null;
  code: string | null;
  /** The code's conversion limit, when it has one. */
  maxConversions?: number | null;
  attribution: ReferralAttribution;
}

/** The owner of a code the buyer typed. */
export const referrerFromCode = (code: ResolvedCode): Referrer => ({
  ref: code.ownerRef,
  model: code.ownerModel,
  codeId: code.codeId,
  code: code.code,
  maxConversions: code.maxConversions,
  attribution: { rule: 'code' },
});

/** The owner of the code behind a visitor's deciding touch. */
export const referrerFromTouch = (
  touch: { ownerRef: Ref; ownerModel: string; codeId: Types.ObjectId; code: string; visitorId: string; at: Date },
  rule: 'first_touch' | 'last_touch',
): Referrer => ({
  ref: touch.ownerRef,
  model: touch.ownerModel,
  codeId: touch.codeId,
  code: touch.code,
  attribution: { rule, visitorId: touch.visitorId, touchAt: touch.at },
});

/** The referrer a referee is bound to for life. */
export const referrerFromBinding = (binding: { referrerRef: Ref; referrerModel: string; codeId: Types.ObjectId | null; code: string | null }): Referrer => ({
  ref: binding.referrerRef,
  model: binding.referrerModel,
  codeId: binding.codeId,
  code: binding.code,
  attribution: { rule: 'lifetime_binding' },
});

/** The referrer a referee signed up through (their lead). */
export const referrerFromLead = (lead: { referrerRef: Ref; referrerModel: string; codeId: Types.ObjectId | null; code: string | null }): Referrer => ({
  ref: lead.referrerRef,
  model: lead.referrerModel,
  codeId: lead.codeId,
  code: lead.code,
  attribution: { rule: 'lead' },
});

/** A referrer the host names directly (no code). */
export const namedReferrer = (ref: Ref, model: string): Referrer => ({ ref, model, codeId: null, code: null, attribution: { rule: 'named_referrer' } });
