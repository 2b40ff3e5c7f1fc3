export {
  type EventSchema,
  ReferralApproved,
  ReferralCodeCreated,
  ReferralCodeDeactivated,
  ReferralConverted,
  type ReferralEvent,
  type ReferralEventDefinition,
  ReferralFlagged,
  ReferralLeadConverted,
  ReferralLeadCreated,
  ReferralReferrerResumed,
  ReferralReferrerSuspended,
  ReferralRejected,
  ReferralReversed,
  referralEventDefinitions,
  referralEventDefinitionsByName,
} from './definitions.js';
export type { EmittedReferralEvent, EventsMatching, ReferralEventHandler, ReferralEventMeta, ReferralEventPattern } from './emitted.js';
export { matchesEventPattern } from './glob.js';
export { InProcessBus, type InProcessBusOptions } from './in-process-bus.js';
export { EVENT_SOURCE, REFERRAL_EVENTS, type ReferralEventName, referralEventNames } from './names.js';
export type { OutboxStore, OutboxWriteOptions, RedeliverOptions, RedeliverReport } from './outbox.js';
export {
  type ApprovedPayload,
  approvedPayloadSchema,
  type CodeCreatedPayload,
  type CodeDeactivatedPayload,
  type ConvertedPayload,
  codeCreatedPayloadSchema,
  codeDeactivatedPayloadSchema,
  convertedPayloadSchema,
  type FlaggedPayload,
  flaggedPayloadSchema,
  type LeadConvertedPayload,
  type LeadCreatedPayload,
  leadConvertedPayloadSchema,
  leadCreatedPayloadSchema,
  type ReferralEventPayloads,
  type ReferrerResumedPayload,
  type ReferrerSuspendedPayload,
  type RejectedPayload,
  type ReversedPayload,
  referralEventPayloadSchemas,
  rejectedPayloadSchema,
  reversedPayloadSchema,
} from './payloads.js';
export type { DeadLetteredEvent, DomainEvent, EventHandler, EventMeta, EventTransport, PublishManyResult, Unsubscribe } from './types.js';
