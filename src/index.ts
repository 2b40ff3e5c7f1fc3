export { createReferral } from './engine/create-referral.js';
export { defineReferral, type ReferralBlueprint, type ReferralRuntime, type ReferralShape } from './engine/define.js';
export type { ReferralEngine, ResolvedReferrer } from './engine/engine.js';
export type { ReferralEvents } from './engine/events-facade.js';
export type { ReferralModels } from './engine/models.js';
export type { CreateReferralOptions } from './engine/options.js';
export { attributeSaleInputSchema, trackVisitInputSchema, visitorIdSchema, type AttributeSaleInput, type TrackVisitInput } from './attribution/inputs.js';
export type { AttributionExplanation } from './attribution/explain.js';
export type { SaleOutcome } from './attribution/checkout.js';
export type { Funnel, FunnelInput } from './attribution/funnel.js';
export type { LeadPage, ListLeadsOptions } from './attribution/lead-listing.js';
export type { ReferralLeadRecord } from './attribution/lead.model.js';
export { attributeSignupInputSchema, type AttributeSignupInput } from './attribution/inputs.js';
export type { AttributionConfig, AttributionPolicy } from './attribution/policy.js';
export type { ReferralTouchRecord } from './attribution/touch.model.js';
export type { ReferralBindingRecord } from './attribution/binding.model.js';
export { ReferralCodeRepository, type EraseOwner } from './codes/repository.js';
export type { CodeCacheOptions } from './codes/cache.js';
export type { ResolvedCode } from './codes/resolver.js';
export type { ReferralCodeRecord } from './codes/model.js';
export type { CodePolicy } from './codes/inputs.js';
export type { CodeOwner } from './codes/issue.js';
export { createCodeGenerator, DEFAULT_CODE_ALPHABET, DEFAULT_CODE_LENGTH, normalizeCode, type CodeGeneratorOptions } from './codes/format.js';
export { ReferralRepository, type RefereeServices } from './referrals/repository.js';
export { ReferralStats, type LeaderboardEntry, type ReferrerStats } from './referrals/stats.js';
export type { LeaderboardOptions } from './referrals/stats-inputs.js';
export type { ReferralPage } from './referrals/listing.js';
export type { ReviewConfig } from './referrals/deps.js';
export type { ReferralAttribution, AttributionRule } from './referrals/referrer.js';
export type { ReferralDecision, ReferralRecord, ReferralReversal } from './referrals/model.js';
export { REFERRAL_STATUSES, REFERRAL_TRANSITIONS, type ReferralAction, type ReferralStatus } from './referrals/status.js';
export type { ApproveInput, ListForReferrerOptions, RecordConversionInput, RejectInput, ReverseInput } from './referrals/inputs.js';
export type { ReferralDraft } from './kernel/draft.js';
export type { IdLike, ReferralContext } from './kernel/context.js';
export type { ResolvedTenant, TenantConfig } from './kernel/tenant.js';
export type { Ref } from './kernel/ids.js';
export * from './approval/index.js';
export * from './kernel/errors.js';
export { DATABASE_UNAVAILABLE_ERRORS, isDatabaseUnavailable } from './kernel/faults.js';
export {
  InProcessBus,
  REFERRAL_EVENTS,
  ReferralApproved,
  ReferralCodeCreated,
  ReferralCodeDeactivated,
  ReferralConverted,
  referralEventDefinitions,
  referralEventDefinitionsByName,
  ReferralFlagged,
  ReferralRejected,
  ReferralReversed,
  ReferralLeadCreated,
  ReferralLeadConverted,
} from './events/index.js';
export type {
  ApprovedPayload,
  CodeCreatedPayload,
  CodeDeactivatedPayload,
  ConvertedPayload,
  FlaggedPayload,
  LeadConvertedPayload,
  LeadCreatedPayload,
  RejectedPayload,
  ReversedPayload,
  DomainEvent,
  EmittedReferralEvent,
  EventsMatching,
  ReferralEventHandler,
  ReferralEventMeta,
  ReferralEventPattern,
  EventSchema,
  ReferralEventDefinition,
  EventHandler,
  EventMeta,
  EventTransport,
  InProcessBusOptions,
  OutboxStore,
  RedeliverOptions,
  RedeliverReport,
  ReferralEvent,
  ReferralEventName,
  ReferralEventPayloads,
  Unsubscribe,
} from './events/index.js';
export type { SyncIndexesReport } from './store/sync-indexes.js';
export type { IndexDeclaration } from './store/index-declaration.js';
export { normalizeEmail, ownerIsRefereeGuard, referralLoopGuard, runGuards, sameEmailGuard } from './guards/index.js';
export type { FraudGuard, GuardContext, GuardDecision, GuardInput, GuardOutcome, GuardVerdict, IdentitySignals } from './guards/index.js';
