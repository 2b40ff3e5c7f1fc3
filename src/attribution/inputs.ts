import { z } from 'zod';
import { codeSchema } from '../codes/inputs.js';
import { checkMoneyPair } from '../money/schema.js';
import { partyFields } from '../referrals/inputs.js';

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
export const attributeSaleInputSchema = z
  .strictObject({ code: codeSchema.optional(), visitorId: visitorIdSchema.optional(), ...partyFields })
  .superRefine(checkMoneyPair);

/** trackVisit: a visit through a referral link. `at` defaults to now and may not be in the future. */
export const trackVisitInputSchema = z.strictObject({
  code: codeSchema,
  visitorId: visitorIdSchema,
  at: z
    .date({ error: 'Expected a valid Date' })
    .refine((at) => at.getTime() <= Date.now() + 60_000, 'Must not be in the future')
    .optional(),
});

/**
 * attributeSignup: who referred a new user. By `code`, else the visitor's deciding touch.
 * `signedUpAt` backdates imports (not in the future).
 */
export const attributeSignupInputSchema = z.strictObject({
  code: codeSchema.optional(),
  visitorId: visitorIdSchema.optional(),
  refereeRef: partyFields.refereeRef,
  refereeModel: partyFields.refereeModel,
  metadata: partyFields.metadata,
  signals: partyFields.signals,
  signedUpAt: z
    .date({ error: 'Expected a valid Date' })
    .refine((at) => at.getTime() <= Date.now() + 60_000, 'Must not be in the future')
    .optional(),
});

export type AttributeSignupInput = z.input<typeof attributeSignupInputSchema>;
export type AttributeSaleInput = z.input<typeof attributeSaleInputSchema>;
export type TrackVisitInput = z.input<typeof trackVisitInputSchema>;
