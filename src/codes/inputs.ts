import { z } from 'zod';
import { refSchema } from '../kernel/ids.js';
import { modelNameSchema, textSchema } from '../kernel/input.js';
import { metadataSchema } from '../kernel/metadata.js';
import { CODE_PATTERN, MAX_CODE_LENGTH, VANITY_PATTERN } from './format.js';

/** A referral code as typed by a person: trimmed, upper-cased, ASCII only. */
export const codeSchema = z
  .string()
  .trim()
  .min(1, 'Code must not be empty')
  .max(MAX_CODE_LENGTH, `Code must be at most ${MAX_CODE_LENGTH} characters`)
  .regex(CODE_PATTERN, 'Code may only contain ASCII letters, digits, "-" and "_"')
  .toUpperCase();

export const generateCodeInputSchema = z.strictObject({ ownerRef: refSchema, ownerModel: modelNameSchema });

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

export type CodePolicy = z.input<typeof codePolicySchema>;
type ParsedPolicy = z.output<typeof codePolicySchema>;

/** Policy input as stored fields: only what was given, so an omitted field is left as it is. */
export const policyFields = (policy: ParsedPolicy) => ({
  ...(policy.expiresAt === undefined ? {} : { expiresAt: policy.expiresAt }),
  ...(policy.maxConversions === undefined ? {} : { maxConversions: policy.maxConversions }),
  ...(policy.campaign === undefined ? {} : { campaign: policy.campaign }),
  ...(policy.metadata === undefined ? {} : { metadata: policy.metadata }),
});
