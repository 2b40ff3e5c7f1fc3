import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { EVENT_SOURCE, REFERRAL_EVENTS, type ReferralEventName } from './names.js';
import { type ReferralEventPayloads, referralEventPayloadSchemas } from './payloads.js';
import type { DomainEvent, EventMeta } from './types.js';

export type ReferralEvent<K extends ReferralEventName = ReferralEventName> = DomainEvent<ReferralEventPayloads[K], K>;

/** JSON Schema of a payload, in the shape @classytic/arc's `EventRegistry` takes (`EventSchema`). */
export interface EventSchema {
  type: 'object';
  properties?: Record<string, { type?: string; [key: string]: unknown }>;
  required?: string[];
  [key: string]: unknown;
}

/**
 * One event's definition, in the shape the family registers (@classytic/revenue's and
 * @classytic/ledger's catalogs; arc's `EventDefinitionOutput`): `zodSchema` is the source of
 * truth, `schema` its JSON Schema, `create` validates the payload and builds the envelope.
 */
export interface ReferralEventDefinition<K extends ReferralEventName = ReferralEventName> {
  readonly name: K;
  readonly version: number;
  readonly description: string;
  readonly schema: EventSchema;
  readonly zodSchema: z.ZodType<ReferralEventPayloads[K]>;
  create(payload: ReferralEventPayloads[K], meta?: Partial<EventMeta>): ReferralEvent<K>;
}

const SCHEMA_VERSION = 1;

const define = <K extends ReferralEventName>(name: K, description: string): ReferralEventDefinition<K> => {
  const zodSchema = referralEventPayloadSchemas[name] as unknown as z.ZodType<ReferralEventPayloads[K]>;
  return {
    name,
    version: SCHEMA_VERSION,
    description,
    // 'any': a type JSON Schema cannot express documents as {} while zod keeps validating exactly.
    schema: z.toJSONSchema(zodSchema, { unrepresentable: 'any' }) as EventSchema,
    zodSchema,
    create(payload, meta = {}) {
      return {
        type: name,
        payload: zodSchema.parse(payload),
        meta: { source: EVENT_SOURCE, schemaVersion: SCHEMA_VERSION, ...meta, id: meta.id ?? randomUUID(), timestamp: meta.timestamp ?? new Date() },
      };
    },
  };
};

export const ReferralCodeCreated = define(REFERRAL_EVENTS.codeCreated, 'A new active referral code was issued to an owner.');
export const ReferralCodeDeactivated = define(REFERRAL_EVENTS.codeDeactivated, 'A referral code was deactivated; it never resolves again.');
export const ReferralConverted = define(REFERRAL_EVENTS.converted, 'A sale was attributed to a referrer (status converted).');
export const ReferralFlagged = define(REFERRAL_EVENTS.flagged, 'A fraud guard flagged a new referral; it is held for review (status converted).');
export const ReferralApproved = define(REFERRAL_EVENTS.approved, 'A converted referral passed review; reward it now.');
export const ReferralRejected = define(REFERRAL_EVENTS.rejected, 'A converted referral was rejected in review; do not reward it.');
export const ReferralLeadCreated = define(
  REFERRAL_EVENTS.leadCreated,
  'A referee signed up through a referrer (who referred whom), or made a first sale through a code before any signup.',
);
export const ReferralLeadConverted = define(REFERRAL_EVENTS.leadConverted, "A lead's first sale, emitted once: reward the referee's first order here.");
export const ReferralReversed = define(REFERRAL_EVENTS.reversed, 'A refund or chargeback reversed all or part of a referred sale; claw back in proportion.');

/** Keyed by event type, for lookups; the array below is what a registry iterates. */
export const referralEventDefinitionsByName: { readonly [K in ReferralEventName]: ReferralEventDefinition<K> } = {
  [REFERRAL_EVENTS.codeCreated]: ReferralCodeCreated,
  [REFERRAL_EVENTS.codeDeactivated]: ReferralCodeDeactivated,
  [REFERRAL_EVENTS.converted]: ReferralConverted,
  [REFERRAL_EVENTS.flagged]: ReferralFlagged,
  [REFERRAL_EVENTS.approved]: ReferralApproved,
  [REFERRAL_EVENTS.rejected]: ReferralRejected,
  [REFERRAL_EVENTS.reversed]: ReferralReversed,
  [REFERRAL_EVENTS.leadCreated]: ReferralLeadCreated,
  [REFERRAL_EVENTS.leadConverted]: ReferralLeadConverted,
};

/** Every event the engine emits: `for (const def of referralEventDefinitions) registry.register(def)`. */
export const referralEventDefinitions: readonly ReferralEventDefinition[] = Object.freeze(Object.values(referralEventDefinitionsByName));
