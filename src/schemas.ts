export {
  approveInputSchema,
  listForReferrerOptionsSchema,
  MAX_PAGE_SIZE,
  recordConversionInputSchema,
  rejectInputSchema,
  reverseInputSchema,
  type ApproveInput,
  type ListForReferrerOptions,
  type RecordConversionInput,
  type RejectInput,
  type ReverseInput,
} from './referrals/inputs.js';
export { REFERRAL_STATUSES, type ReferralStatus } from './referrals/status.js';
export { attributeSaleInputSchema, trackVisitInputSchema, visitorIdSchema, type AttributeSaleInput, type TrackVisitInput } from './attribution/inputs.js';
export { codePolicySchema, codeSchema, generateCodeInputSchema, vanityCodeSchema, type CodePolicy } from './codes/inputs.js';
export { leaderboardOptionsSchema, type LeaderboardOptions } from './referrals/stats-inputs.js';
export { approvalChainInputSchema } from './approval/schema.js';
export { modelNameSchema, objectIdSchema, refSchema, textSchema } from './kernel/fields.js';
export { inspectMetadata, MAX_METADATA_BYTES, metadataSchema } from './kernel/metadata.js';
export { parseInput } from './kernel/validation.js';
