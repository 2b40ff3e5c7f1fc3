import { z } from 'zod';
import { noControlCharacters } from '../kernel/input.js';

/** A bounded, trimmed string without control characters: stored and shown as given. */
const boundedText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine(...noControlCharacters);

/** Approver and step ids are stored and compared: bounded, without control characters. */
export const approvalIdSchema = boundedText(128);

const labelSchema = boundedText(200);

export const approverObjectSchema = z.strictObject({ id: approvalIdSchema, name: labelSchema.optional(), role: labelSchema.optional() });

const approverSchema = z.union([approvalIdSchema, approverObjectSchema]);

export const thresholdSchema = z.strictObject({
  field: z
    .string()
    .regex(/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/, 'A dot path such as amount or metadata.tier')
    .max(200),
  op: z.enum(['gt', 'gte', 'lt', 'lte', 'eq']),
  value: z.number().finite(),
});

export const decisionSchema = z.strictObject({
  approverId: approvalIdSchema,
  decision: z.enum(['approved', 'rejected']),
  note: z.string().max(2000).optional(),
  decidedAt: z.coerce.date(),
});

export const statusSchema = z.enum(['pending', 'approved', 'rejected', 'skipped']);

export const orderSchema = z.enum(['sequential', 'parallel']);

/**
 * An approval chain as the review hook or updateApprovals receives it: primitives' `CreateChainInput`
 * (step `name`, approver `name`/`role`, `threshold`), or a whole primitives `ApprovalChain`
 * (`status`, `decisions`, `skippedReason`), whose statuses are then recomputed, never trusted.
 */
export const approvalChainInputSchema = z.strictObject({
  order: orderSchema.optional(),
  status: statusSchema.optional(),
  notRequiredReason: labelSchema.optional(),
  steps: z
    .array(
      z.strictObject({
        id: approvalIdSchema,
        name: labelSchema.optional(),
        approvers: z.array(approverSchema).max(100),
        requiredApprovals: z.number().int().optional(),
        threshold: thresholdSchema.optional(),
        status: statusSchema.optional(),
        decisions: z.array(decisionSchema).max(100).optional(),
        skippedReason: z.string().max(2000).optional(),
      }),
    )
    .max(20),
});

export type ApprovalChainLike = z.output<typeof approvalChainInputSchema>;
