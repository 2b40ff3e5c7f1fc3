import { z } from 'zod';
import { VANITY_PATTERN } from '../core/code-format.js';
import { codeSchema, metadataSchema, modelNameSchema, objectIdSchema, refSchema, textSchema } from './primitives.js';

export const REFERRAL_STATUSES = ['converted', 'approved', 'rejected', 'reversed'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

/** Identity hints for fraud guards; used for the decision, never stored. */
export const identitySignalsSchema = z.strictObject({
  refereeEmail: z.string().trim().max(320).optional(),
  referrerEmail: z.string().trim().max(320).optional(),
});

const partyFields = {
  refereeRef: refSchema,
  refereeModel: modelNameSchema,
  sourceRef: refSchema,
  sourceModel: modelNameSchema,
  metadata: metadataSchema.optional(),
  signals: identitySignalsSchema.optional(),
};

/**
 * recordConversion: the referrer comes from a `code` or is named directly (`referrerRef` and
 * `referrerModel`). Unknown keys are refused so nothing (a tenant field, say) is smuggled in.
 */
export const recordConversionInputSchema = z
  .strictObject({
    code: codeSchema.optional(),
    referrerRef: refSchema.optional(),
    referrerModel: modelNameSchema.optional(),
    ...partyFields,
  })
  .superRefine((input, ctx) => {
    if ((input.code === undefined) === (input.referrerRef === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['code'], message: 'Give exactly one of code or referrerRef' });
    }
    if (input.referrerRef !== undefined && input.referrerModel === undefined) {
      ctx.addIssue({ code: 'custom', path: ['referrerModel'], message: 'Required with referrerRef' });
    }
    if (input.code !== undefined && input.referrerModel !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['referrerModel'], message: 'Not allowed with code (the code names the referrer)' });
    }
  });

/** An anonymous visitor id (cookie, device id) that touches are recorded under. */
export const visitorIdSchema = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .regex(/^[\w.:-]+$/, 'May only contain letters, digits and _ . : -');

/**
 * attributeSale: the checkout call. By `code` when the buyer brought one; else by the
 * visitor's touches (`visitorId`) or the referee's lifetime binding, per `attribution`.
 */
export const attributeSaleInputSchema = z.strictObject({ code: codeSchema.optional(), visitorId: visitorIdSchema.optional(), ...partyFields });

/** trackVisit: a visit through a referral link. `at` defaults to now and may not be in the future. */
export const trackVisitInputSchema = z.strictObject({
  code: codeSchema,
  visitorId: visitorIdSchema,
  at: z.coerce
    .date()
    .refine((at) => at.getTime() <= Date.now() + 60_000, 'Must not be in the future')
    .optional(),
});

export const generateCodeInputSchema = z.strictObject({ ownerRef: refSchema, ownerModel: modelNameSchema });

export const approveInputSchema = z.strictObject({
  decidedBy: refSchema,
  note: textSchema(2000).optional(),
  /** The approval step to decide; defaults to the first active step. */
  stepId: z.string().trim().min(1).max(128).optional(),
});

export const rejectInputSchema = z.strictObject({
  decidedBy: refSchema,
  reason: textSchema(2000),
  stepId: z.string().trim().min(1).max(128).optional(),
});

export const reverseInputSchema = z.strictObject({
  reason: textSchema(2000),
  /** The refund or chargeback id from the payment provider; a repeat with the same key is a no-op. */
  refundKey: z
    .string()
    .trim()
    .min(1)
    .max(128)
    .regex(/^[\w.:\-/]+$/, 'May only contain letters, digits and _ . : - /'),
  /** Part of the sale's `metadata.amount` to reverse; omit to reverse what is left. */
  amount: z.number().positive().finite().optional(),
});

/** Code policy, set when a code is created or later with setPolicy; null clears a field. */
export const codePolicySchema = z.strictObject({
  expiresAt: z.coerce.date().nullable().optional(),
  /** Conversions the code may record; enforced atomically, never exceeded under concurrency. */
  maxConversions: z.number().int().min(1).max(1_000_000_000).nullable().optional(),
  campaign: textSchema(128).nullable().optional(),
  metadata: metadataSchema.nullable().optional(),
});

export const vanityCodeSchema = z
  .string()
  .trim()
  .regex(VANITY_PATTERN, 'Vanity codes are 3-32 letters, digits and dashes')
  .transform((value) => value.toUpperCase());

export const MAX_PAGE_SIZE = 100;

export const listForReferrerOptionsSchema = z.strictObject({
  status: z.enum(REFERRAL_STATUSES).optional(),
  limit: z.number().int().min(1).max(MAX_PAGE_SIZE).default(20),
  after: z.string().min(1).max(200).optional(),
});

export { codeSchema, objectIdSchema, refSchema, modelNameSchema, metadataSchema };

export type RecordConversionInput = z.input<typeof recordConversionInputSchema>;
export type AttributeSaleInput = z.input<typeof attributeSaleInputSchema>;
export type TrackVisitInput = z.input<typeof trackVisitInputSchema>;
export type ApproveInput = z.input<typeof approveInputSchema>;
export type RejectInput = z.input<typeof rejectInputSchema>;
export type ListForReferrerOptions = z.input<typeof listForReferrerOptionsSchema>;
export type ReverseInput = z.input<typeof reverseInputSchema>;
export type CodePolicy = z.input<typeof codePolicySchema>;
