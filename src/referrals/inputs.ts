import { z } from 'zod';
import { approvalIdSchema } from '../approval/schema.js';
import { codeSchema } from '../codes/inputs.js';
import { identitySignalsSchema } from '../guards/types.js';
import { refSchema } from '../kernel/ids.js';
import { modelNameSchema, textSchema } from '../kernel/input.js';
import { metadataSchema } from '../kernel/metadata.js';
import { checkMoneyPair, currencySchema, minorUnitsNumber, moneyFields } from '../money/schema.js';
import { REFERRAL_STATUSES } from './status.js';

/** The sale and its buyer: shared by recordConversion and attributeSale. */
export const partyFields = {
  refereeRef: refSchema,
  refereeModel: modelNameSchema,
  sourceRef: refSchema,
  sourceModel: modelNameSchema,
  /** The sale's amount in minor units and its ISO 4217 currency: both or neither. */
  ...moneyFields,
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
    checkMoneyPair(input, ctx);
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

export const approveInputSchema = z.strictObject({
  decidedBy: refSchema,
  note: textSchema(2000).optional(),
  /** The approval step to decide; defaults to the first active step. */
  stepId: approvalIdSchema.optional(),
});

export const rejectInputSchema = z.strictObject({
  decidedBy: refSchema,
  reason: textSchema(2000),
  stepId: approvalIdSchema.optional(),
});

export const reverseInputSchema = z
  .strictObject({
    reason: textSchema(2000),
    /** The refund or chargeback id from the payment provider; a repeat with the same key is a no-op. */
    refundKey: z
      .string()
      .trim()
      .min(1)
      .max(128)
      .regex(/^[\w.:\-/]+$/, 'May only contain letters, digits and _ . : - /'),
    /** Part of the sale's amount to reverse, in minor units; omit to reverse what is left. */
    amount: minorUnitsNumber.positive('Must be positive').optional(),
    /** The refund's currency: required with `amount`, and it must be the sale's. */
    currency: currencySchema.optional(),
  })
  .superRefine(checkMoneyPair);

export const MAX_PAGE_SIZE = 100;

export const listForReferrerOptionsSchema = z.strictObject({
  status: z.enum(REFERRAL_STATUSES).optional(),
  limit: z.number().int().min(1).max(MAX_PAGE_SIZE).default(20),
  after: z.string().min(1).max(200).optional(),
});

export type RecordConversionInput = z.input<typeof recordConversionInputSchema>;
export type ApproveInput = z.input<typeof approveInputSchema>;
export type RejectInput = z.input<typeof rejectInputSchema>;
export type ListForReferrerOptions = z.input<typeof listForReferrerOptionsSchema>;
export type ReverseInput = z.input<typeof reverseInputSchema>;
