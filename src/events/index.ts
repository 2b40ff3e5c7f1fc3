export { matchesEventPattern } from './glob.js';
export { InProcessBus, type InProcessBusOptions } from './in-process-bus.js';
export { EVENT_SOURCE, REFERRAL_EVENTS, referralEventNames, type ReferralEventName } from './names.js';
export { referralEventDefinitions, type EventDefinition, type ReferralEvent } from './definitions.js';
export {
  approvedPayloadSchema,
  codeCreatedPayloadSchema,
  codeDeactivatedPayloadSchema,
  convertedPayloadSchema,
  flaggedPayloadSchema,
  referralEventPayloadSchemas,
  rejectedPayloadSchema,
  reversedPayloadSchema,
  type ApprovedPayload,
  type CodeCreatedPayload,
  type CodeDeactivatedPayload,
  type ConvertedPayload,
  type FlaggedPayload,
  type ReferralEventPayloads,
  type RejectedPayload,
  type ReversedPayload,
} from './payloads.js';
export type { DomainEvent, EventHandler, EventMeta, EventTransport, Unsubscribe } from './types.js';
export type { OutboxStore, RedeliverOptions, RedeliverReport } from './outbox.js';
