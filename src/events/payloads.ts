import { z } from 'zod';
import { REFERRAL_EVENTS, type ReferralEventName } from './names.js';

/**
 * Event payloads carry ids as strings and instants as ISO-8601 strings so they survive any
 * transport (JSON, queues, webhooks) unchanged. Zod is the source of truth; JSON Schema derives.
 */
const id = z.string().min(1);
const instant = z.iso.datetime();

/** How the referrer of a sale was found; stored on the referral and in `referral:converted`. The one list of rules. */
export const attributionRuleSchema = z.enum(['code', 'first_touch', 'last_touch', 'lifetime_binding', 'named_referrer', 'lead']);

/** The rules a lead can be recorded by: a code, or a visitor's deciding touch. */
export const leadAttributionRuleSchema = attributionRuleSchema.extract(['code', 'first_touch', 'last_touch']);

const codeFields = {
  codeId: id,
  code: z.string().min(1),
  ownerRef: id,
  ownerModel: z.string().min(1),
};

const partiesFields = {
  referralId: id,
  referrerRef: id,
  referrerModel: z.string().min(1),
  refereeRef: id,
  refereeModel: z.string().min(1),
  sourceRef: id,
  sourceModel: z.string().min(1),
};

export const codeCreatedPayloadSchema = z.object({ ...codeFields, createdAt: instant });

export const codeDeactivatedPayloadSchema = z.object({ ...codeFields, deactivatedAt: instant });

/** An amount in minor units (an integer) and its ISO 4217 currency. */
const minorUnits = z.number().int().nonnegative();
const currency = z.string().length(3);

export const convertedPayloadSchema = z.object({
  ...partiesFields,
  codeId: id.optional(),
  code: z.string().min(1).optional(),
  /** The sale's amount in minor units and its currency, when the host gave them. */
  amount: minorUnits.optional(),
  currency: currency.optional(),
  /** False for a 0-amount sale: recorded, but it converts no lead and counts in no leaderboard. */
  qualifying: z.boolean(),
  status: z.literal('converted'),
  /** True when the referral waits on an approval chain before it can be approved. */
  underReview: z.boolean(),
  /** True when a fraud guard flagged it (see `referral:flagged`): hold the reward for review. */
  flagged: z.boolean().optional(),
  /** How the referrer was found (see `attributionRuleSchema`). */
  attribution: z.object({ rule: attributionRuleSchema, touchAt: instant.optional() }).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  convertedAt: instant,
});

export const flaggedPayloadSchema = z.object({
  ...partiesFields,
  status: z.literal('converted'),
  /** Rule ids that flagged the conversion. */
  rules: z.array(z.string().min(1)).min(1),
  reasons: z.array(z.string()),
  flaggedAt: instant,
});

export const approvedPayloadSchema = z.object({
  ...partiesFields,
  status: z.literal('approved'),
  decidedBy: id,
  note: z.string().optional(),
  decidedAt: instant,
});

export const rejectedPayloadSchema = z.object({
  ...partiesFields,
  status: z.literal('rejected'),
  decidedBy: id,
  reason: z.string().min(1),
  decidedAt: instant,
});

export const reversedPayloadSchema = z.object({
  ...partiesFields,
  /** `reversed` once nothing is left of the sale; otherwise the status it had. */
  status: z.enum(['converted', 'approved', 'reversed']),
  refundKey: z.string().min(1),
  reason: z.string().min(1),
  /** Minor units, in `currency` (the sale's). */
  amount: minorUnits.optional(),
  reversedAmount: minorUnits.optional(),
  convertedAmount: minorUnits.optional(),
  currency: currency.optional(),
  fullyReversed: z.boolean(),
  reversedBy: id,
  reversedAt: instant,
});

const leadFields = {
  leadId: id,
  referrerRef: id,
  referrerModel: z.string().min(1),
  refereeRef: id,
  refereeModel: z.string().min(1),
};

/** Who referred whom, at signup: both parties, so a host can welcome the friend too. */
export const leadCreatedPayloadSchema = z.object({
  ...leadFields,
  codeId: id.optional(),
  code: z.string().min(1).optional(),
  /** How the referrer was found: `code`, `first_touch`, `last_touch`, or `code` through a direct sale. */
  attribution: z.object({ rule: leadAttributionRuleSchema, touchAt: instant.optional() }),
  /** True when the lead was recorded by its first sale rather than a signup. */
  viaSale: z.boolean(),
  flagged: z.boolean().optional(),
  signedUpAt: instant,
});

/** The lead's first sale, once: the cue for a double-sided reward ("the friend's first order"). */
export const leadConvertedPayloadSchema = z.object({
  ...leadFields,
  referralId: id,
  sourceRef: id,
  sourceModel: z.string().min(1),
  firstForReferee: z.literal(true),
  amount: minorUnits.optional(),
  currency: currency.optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  convertedAt: instant,
});

const referrerFields = { referrerId: id, referrerRef: id, referrerModel: z.string().min(1) };

/** From now on no new sale or signup is credited to this referrer; recorded sales stand. */
export const referrerSuspendedPayloadSchema = z.object({ ...referrerFields, reason: z.string().min(1), suspendedBy: id, suspendedAt: instant });

/** The referrer earns again from now on; nothing voided while suspended comes back. */
export const referrerResumedPayloadSchema = z.object({ ...referrerFields, resumedBy: id, resumedAt: instant });

export type LeadCreatedPayload = z.infer<typeof leadCreatedPayloadSchema>;
export type LeadConvertedPayload = z.infer<typeof leadConvertedPayloadSchema>;
export type CodeCreatedPayload = z.infer<typeof codeCreatedPayloadSchema>;
export type CodeDeactivatedPayload = z.infer<typeof codeDeactivatedPayloadSchema>;
export type ConvertedPayload = z.infer<typeof convertedPayloadSchema>;
export type ApprovedPayload = z.infer<typeof approvedPayloadSchema>;
export type FlaggedPayload = z.infer<typeof flaggedPayloadSchema>;
export type RejectedPayload = z.infer<typeof rejectedPayloadSchema>;
export type ReversedPayload = z.infer<typeof reversedPayloadSchema>;
export type ReferrerSuspendedPayload = z.infer<typeof referrerSuspendedPayloadSchema>;
export type ReferrerResumedPayload = z.infer<typeof referrerResumedPayloadSchema>;

export const referralEventPayloadSchemas = {
  [REFERRAL_EVENTS.codeCreated]: codeCreatedPayloadSchema,
  [REFERRAL_EVENTS.codeDeactivated]: codeDeactivatedPayloadSchema,
  [REFERRAL_EVENTS.converted]: convertedPayloadSchema,
  [REFERRAL_EVENTS.flagged]: flaggedPayloadSchema,
  [REFERRAL_EVENTS.approved]: approvedPayloadSchema,
  [REFERRAL_EVENTS.rejected]: rejectedPayloadSchema,
  [REFERRAL_EVENTS.reversed]: reversedPayloadSchema,
  [REFERRAL_EVENTS.leadCreated]: leadCreatedPayloadSchema,
  [REFERRAL_EVENTS.leadConverted]: leadConvertedPayloadSchema,
  [REFERRAL_EVENTS.referrerSuspended]: referrerSuspendedPayloadSchema,
  [REFERRAL_EVENTS.referrerResumed]: referrerResumedPayloadSchema,
} as const satisfies { readonly [K in ReferralEventName]: z.ZodType };

/** Event type -> payload type, inferred from the schemas above; drives typed `subscribe` and `emit`. */
export type ReferralEventPayloads = { [K in ReferralEventName]: z.infer<(typeof referralEventPayloadSchemas)[K]> };
