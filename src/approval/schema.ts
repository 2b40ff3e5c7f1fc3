import { z } from 'zod';

const approverIdSchema = z.string().trim().min(1).max(128);

/** Input for an approval chain; structural rules (quorum, unique ids) are checked by createChain. */
export const approvalChainInputSchema = z.strictObject({
  order: z.enum(['sequential', 'parallel']).optional(),
  steps: z
    .array(
      z.strictObject({
        id: z.string().trim().min(1).max(128),
        approvers: z.array(z.union([approverIdSchema, z.strictObject({ id: approverIdSchema })])).min(1).max(100),
        requiredApprovals: z.number().int().optional(),
      }),
    )
    .min(1)
    .max(20),
});
