import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { EVENT_SOURCE, REFERRAL_EVENTS, type ReferralEventName } from './names.js';
import { referralEventPayloadSchemas, type ReferralEventPayloads } from './payloads.js';
import type { DomainEvent, EventMeta } from './types.js';

export type ReferralEvent<K extends ReferralEventName = ReferralEventName> = DomainEvent<ReferralEventPayloads[K], K>;

/** Definition shape of the @classytic event registry: zod validates, `schema` documents. */
export interface EventDefinition<K extends ReferralEventName = ReferralEventName> {
  name: K;
  version: number;
  description: string;
  /** JSON Schema derived from `payloadSchema`. */
  schema: Record<string, unknown>;
  payloadSchema: z.ZodType<ReferralEventPayloads[K]>;
  create(payload: ReferralEventPayloads[K], meta?: Partial<EventMeta>): ReferralEvent<K>;
}

const descriptions: Record<ReferralEventName, string> = {
  [REFERRAL_EVENTS.codeCreated]: 'A new active referral code was issued to an owner.',
  [REFERRAL_EVENTS.codeDeactivated]: 'A referral code was deactivated; it never resolves again.',
  [REFERRAL_EVENTS.converted]: 'A sale was attributed to a referrer (status converted).',
  [REFERRAL_EVENTS.flagged]: 'A fraud guard flagged a new referral; it is held for review (status converted).',
  [REFERRAL_EVENTS.approved]: 'A converted referral passed review; reward it now.',
  [REFERRAL_EVENTS.rejected]: 'A converted referral was rejected in review; do not reward it.',
  [REFERRAL_EVENTS.reversed]: 'A refund or chargeback reversed all or part of a referred sale; claw back in proportion.',
};

const SCHEMA_VERSION = 1;

const define = <K extends ReferralEventName>(name: K): EventDefinition<K> => {
  const payloadSchema = referralEventPayloadSchemas[name] as unknown as z.ZodType<ReferralEventPayloads[K]>;
  return {
    name,
    version: SCHEMA_VERSION,
    description: descriptions[name],
    schema: z.toJSONSchema(payloadSchema, { unrepresentable: 'any' }) as Record<string, unknown>,
    payloadSchema,
    create(payload, meta = {}) {
      return {
        type: name,
        payload: payloadSchema.parse(payload),
        meta: { source: EVENT_SOURCE, schemaVersion: SCHEMA_VERSION, ...meta, id: meta.id ?? randomUUID(), timestamp: meta.timestamp ?? new Date() },
      };
    },
  };
};

/** One definition per emitted event, keyed by event type. */
export const referralEventDefinitions: { readonly [K in ReferralEventName]: EventDefinition<K> } = {
  [REFERRAL_EVENTS.codeCreated]: define(REFERRAL_EVENTS.codeCreated),
  [REFERRAL_EVENTS.codeDeactivated]: define(REFERRAL_EVENTS.codeDeactivated),
  [REFERRAL_EVENTS.converted]: define(REFERRAL_EVENTS.converted),
  [REFERRAL_EVENTS.flagged]: define(REFERRAL_EVENTS.flagged),
  [REFERRAL_EVENTS.approved]: define(REFERRAL_EVENTS.approved),
  [REFERRAL_EVENTS.rejected]: define(REFERRAL_EVENTS.rejected),
  [REFERRAL_EVENTS.reversed]: define(REFERRAL_EVENTS.reversed),
};
