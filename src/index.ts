export * from './approval/index.js';
export type { ReferralBindingRecord } from './attribution/binding.model.js';
export type { SaleOutcome } from './attribution/checkout.js';
export type { AttributionExplanation } from './attribution/explain.js';
export {
  type AttributeSaleInput,
  type AttributeSignupInput,
  attributeSaleInputSchema,
  attributeSignupInputSchema,
  type TrackVisitInput,
  trackVisitInputSchema,
  visitorIdSchema,
} from './attribution/inputs.js';
export type { ReferralLeadRecord } from './attribution/lead.model.js';
export type { LeadPage, ListLeadsOptions } from './attribution/lead-listing.js';
export type { AttributionConfig, AttributionPolicy } from './attribution/policy.js';
export type { ReferralTouchRecord } from './attribution/touch.model.js';
export { type CodeGeneratorOptions, createCodeGenerator, DEFAULT_CODE_ALPHABET, DEFAULT_CODE_LENGTH, normalizeCode } from './codes/format.js';
export type { CodePolicy } from './codes/inputs.js';
export type { CodeOwner } from './codes/issue.js';
export type { ReferralCodeRecord } from './codes/model.js';
export { type EraseOwner, ReferralCodeRepository } from './codes/repository.js';
export type { CodeCacheOptions, ResolvedCode } from './codes/resolver.js';
export { createReferral } from './engine/create-referral.js';
export { defineReferral, type ReferralBlueprint, type ReferralRuntime, type ReferralShape } from './engine/define.js';
export type { ReferralEngine, ResolvedReferrer } from './engine/engine.js';
export type { ReferralEvents } from './engine/events-facade.js';
export type { ReferralModels } from './engine/models.js';
export type { CreateReferralOptions } from './engine/options.js';
export type { ReferralReferrers } from './engine/referrers-facade.js';
export type {
  ApprovedPayload,
  CodeCreatedPayload,
  CodeDeactivatedPayload,
  ConvertedPayload,
  DomainEvent,
  EmittedReferralEvent,
  EventHandler,
  EventMeta,
  EventSchema,
  EventsMatching,
  EventTransport,
  FlaggedPayload,
  InProcessBusOptions,
  LeadConvertedPayload,
  LeadCreatedPayload,
  OutboxStore,
  RedeliverOptions,
  RedeliverReport,
  ReferralEvent,
  ReferralEventDefinition,
  ReferralEventHandler,
  ReferralEventMeta,
  ReferralEventName,
  ReferralEventPattern,
  ReferralEventPayloads,
  ReferrerResumedPayload,
  ReferrerSuspendedPayload,
  RejectedPayload,
  ReversedPayload,
  Unsubscribe,
} from './events/index.js';
export {
  InProcessBus,
  REFERRAL_EVENTS,
  ReferralApproved,
  ReferralCodeCreated,
  ReferralCodeDeactivated,
  ReferralConverted,
  ReferralFlagged,
  ReferralLeadConverted,
  ReferralLeadCreated,
  ReferralReferrerResumed,
  ReferralReferrerSuspended,
  ReferralRejected,
  ReferralReversed,
  referralEventDefinitions,
  referralEventDefinitionsByName,
} from './events/index.js';
export type { RelayOptions } from './events/outbox.js';
export type { FraudGuard, GuardContext, GuardDecision, GuardInput, GuardOutcome, GuardVerdict, IdentitySignals } from './guards/index.js';
export { normalizeEmail, ownerIsRefereeGuard, referralLoopGuard, runGuards, sameEmailGuard } from './guards/index.js';
export type { IdLike, ReferralContext } from './kernel/context.js';
export type { ReferralDraft } from './kernel/draft.js';
export * from './kernel/errors.js';
export { DATABASE_UNAVAILABLE_ERRORS, isDatabaseUnavailable } from './kernel/faults.js';
export type { Ref } from './kernel/ids.js';
export type { ReferralLogger } from './kernel/logger.js';
export type { ResolvedTenant, TenantConfig } from './kernel/tenant.js';
export { currencySchema, isQualifying, minorUnitsSchema } from './money/schema.js';
export type { CurrencyTotals } from './money/totals.js';
export type { ReviewConfig } from './referrals/deps.js';
export { HOLD_DECIDER, type SettleHeldOptions } from './referrals/hold.js';
export type { ApproveInput, ListForReferrerOptions, RecordConversionInput, RejectInput, ReverseInput } from './referrals/inputs.js';
export type { ReferralPage } from './referrals/listing.js';
export type { ReferralDecision, ReferralRecord, ReferralReversal } from './referrals/model.js';
export type { AttributionRule, ReferralAttribution } from './referrals/referrer.js';
export { ReferralRepository, type ReferralServices } from './referrals/repository.js';
export type { ReviewQueueOptions } from './referrals/review-queue.js';
export type { Awaiting } from './referrals/review-state.js';
export { REFERRAL_STATUSES, REFERRAL_TRANSITIONS, type ReferralAction, type ReferralStatus } from './referrals/status.js';
export type { ResumeReferrerInput, SuspendReferrerInput } from './referrers/inputs.js';
export type { ReferralReferrerRecord } from './referrers/model.js';
export type { Interval } from './stats/buckets.js';
export type { Funnel } from './stats/funnel.js';
export type { FunnelInput, LeaderboardOptions, TimeseriesInput } from './stats/inputs.js';
export { type LeaderboardEntry, ReferralStats, type ReferrerStats, type Timeseries, type TimeseriesBucket } from './stats/referral-stats.js';
export type { IndexDeclaration } from './store/index-declaration.js';
export type { OutboxHealth } from './store/outbox/health.js';
export type { ParkedEvent } from './store/outbox/parking.js';
export type { SyncIndexesReport } from './store/sync-indexes.js';
