import { z } from 'zod';

const controlCharacters = /[\u0000-\u001f\u007f]/;

/** Approver and step ids are stored and compared: bounded, without control characters. */
const idSchema = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .refine((value) => !controlCharacters.test(value), 'Must not contain control characters');

const approverIdSchema = idSchema;

/** Input for an approval chain; structural rules (quorum, unique ids) are checked by createChain. */
export const approvalChainInputSchema = z.strictObject({
  order: z.enum(['sequential', 'parallel']).optional(),
  steps: z
    .array(
      z.strictObject({
        id: idSchema,
        approvers: z.array(z.union([approverIdSchema, z.strictObject({ id: approverIdSchema })])).min(1).max(100),
        requiredApprovals: z.number().int().optional(),
      }),
    )
    .min(1)
    .max(20),
});
