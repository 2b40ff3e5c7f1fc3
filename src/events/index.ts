export { matchesEventPattern } from './glob.js';
export type { EmittedReferralEvent, EventsMatching, ReferralEventHandler, ReferralEventMeta, ReferralEventPattern } from './emitted.js';
export { InProcessBus, type InProcessBusOptions } from './in-process-bus.js';
export { EVENT_SOURCE, REFERRAL_EVENTS, referralEventNames, type ReferralEventName } from './names.js';
export {
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
  type EventSchema,
  type ReferralEvent,
  type ReferralEventDefinition,
} from './definitions.js';
export {
  approvedPayloadSchema,
  codeCreatedPayloadSchema,
  codeDeactivatedPayloadSchema,
  convertedPayloadSchema,
  flaggedPayloadSchema,
  leadConvertedPayloadSchema,
  leadCreatedPayloadSchema,
  referralEventPayloadSchemas,
  rejectedPayloadSchema,
  reversedPayloadSchema,
  type ApprovedPayload,
  type CodeCreatedPayload,
  type CodeDeactivatedPayload,
  type ConvertedPayload,
  type FlaggedPayload,
  type LeadConvertedPayload,
  type LeadCreatedPayload,
  type ReferralEventPayloads,
  type RejectedPayload,
  type ReversedPayload,
} from './payloads.js';
export type { DeadLetteredEvent, DomainEvent, EventHandler, EventMeta, EventTransport, PublishManyResult, Unsubscribe } from './types.js';
export type { OutboxStore, OutboxWriteOptions, RedeliverOptions, RedeliverReport } from './outbox.js';
