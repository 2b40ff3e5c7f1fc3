export { approvalChainInputSchema } from './approval/schema.js';
export { type AttributeSaleInput, attributeSaleInputSchema, type TrackVisitInput, trackVisitInputSchema, visitorIdSchema } from './attribution/inputs.js';
export { type CodePolicy, codePolicySchema, codeSchema, generateCodeInputSchema, vanityCodeSchema } from './codes/inputs.js';
export { objectIdSchema, refSchema } from './kernel/ids.js';
export { modelNameSchema, parseInput, textSchema } from './kernel/input.js';
export { inspectMetadata, MAX_METADATA_BYTES, metadataSchema } from './kernel/metadata.js';
export {
  type ApproveInput,
  approveInputSchema,
  type ListForReferrerOptions,
  listForReferrerOptionsSchema,
  MAX_PAGE_SIZE,
  type RecordConversionInput,
  type RejectInput,
  type ReverseInput,
  recordConversionInputSchema,
  rejectInputSchema,
  reverseInputSchema,
} from './referrals/inputs.js';
export { REFERRAL_STATUSES, type ReferralStatus } from './referrals/status.js';
export { type LeaderboardOptions, leaderboardOptionsSchema, type TimeseriesInput, timeseriesInputSchema } from './stats/inputs.js';
