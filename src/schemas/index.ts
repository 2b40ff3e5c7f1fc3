export {
  approveInputSchema,
  attributeSaleInputSchema,
  generateCodeInputSchema,
  listForReferrerOptionsSchema,
  MAX_PAGE_SIZE,
  recordConversionInputSchema,
  REFERRAL_STATUSES,
  rejectInputSchema,
  reverseInputSchema,
  type ApproveInput,
  type AttributeSaleInput,
  type ListForReferrerOptions,
  type RecordConversionInput,
  type ReferralStatus,
  type RejectInput,
  type ReverseInput,
} from './inputs.js';
export { approvalChainInputSchema } from './approval.js';
export { codeSchema, modelNameSchema, objectIdSchema, refSchema, textSchema } from './primitives.js';
export { inspectMetadata, MAX_METADATA_BYTES, metadataSchema } from './metadata.js';
export { parseInput } from './parse.js';
