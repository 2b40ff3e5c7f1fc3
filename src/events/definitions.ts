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

const DESCRIPTIONS: { readonly [K in ReferralEventName]: string } = {
  [REFERRAL_EVENTS.codeCreated]: 'A new active referral code was issued to an owner.',
  [REFERRAL_EVENTS.codeDeactivated]: 'A referral code was deactivated; it never resolves again.',
  [REFERRAL_EVENTS.converted]: 'A sale was attributed to a referrer (status converted).',
  [REFERRAL_EVENTS.flagged]: 'A fraud guard flagged a new referral; it is held for review (status converted).',
  [REFERRAL_EVENTS.approved]: 'A converted referral passed review; reward it now.',
  [REFERRAL_EVENTS.rejected]: 'A converted referral was rejected in review; do not reward it.',
  [REFERRAL_EVENTS.reversed]: 'A refund or chargeback reversed all or part of a referred sale; claw back in proportion.',
  [REFERRAL_EVENTS.leadCreated]: 'A referee signed up through a referrer (who referred whom), or made a first sale through a code before any signup.',
  [REFERRAL_EVENTS.leadConverted]: "A lead's first sale, emitted once: reward the referee's first order here.",
  [REFERRAL_EVENTS.referrerSuspended]: 'A referrer was suspended: no new sale or signup is credited to them until resumed.',
  [REFERRAL_EVENTS.referrerResumed]: 'A suspended referrer was resumed: new sales and signups are credited to them again.',
};

/**
 * A payload's JSON Schema for the family's registries. An integer (minor units) is written as
 * `{ type: 'number', multipleOf: 1 }`, the same constraint: arc's built-in validator compares
 * `type` with `typeof` (`integer` matches only since arc learned it), so every arc version accepts it.
 */
export const payloadJsonSchema = (schema: z.ZodType): EventSchema =>
  z.toJSONSchema(schema, {
    // 'any': a type JSON Schema cannot express documents as {} while zod keeps validating exactly.
    unrepresentable: 'any',
    override: ({ jsonSchema }) => {
      if (jsonSchema.type !== 'integer') return;
      jsonSchema.type = 'number';
      jsonSchema.multipleOf = 1;
    },
  }) as EventSchema;

/** An envelope's meta: the definition's constants, then what was given, with an id and a timestamp. */
const fullMeta = (meta: Partial<EventMeta>): EventMeta => ({
  source: EVENT_SOURCE,
  schemaVersion: SCHEMA_VERSION,
  ...meta,
  id: meta.id ?? randomUUID(),
  timestamp: meta.timestamp ?? new Date(),
});

const define = <K extends ReferralEventName>(name: K): ReferralEventDefinition<K> => {
  const zodSchema = referralEventPayloadSchemas[name] as unknown as z.ZodType<ReferralEventPayloads[K]>;
  return {
    name,
    version: SCHEMA_VERSION,
    description: DESCRIPTIONS[name],
    schema: payloadJsonSchema(zodSchema),
    zodSchema,
    create(payload, meta = {}) {
      return { type: name, payload: zodSchema.parse(payload), meta: fullMeta(meta) };
    },
  };
};

/** Keyed by event type, for lookups; derived from the names, so every event has exactly one definition. */
export const referralEventDefinitionsByName = Object.fromEntries(Object.values(REFERRAL_EVENTS).map((name) => [name, define(name)])) as unknown as {
  readonly [K in ReferralEventName]: ReferralEventDefinition<K>;
};

export const ReferralCodeCreated = referralEventDefinitionsByName[REFERRAL_EVENTS.codeCreated];
export const ReferralCodeDeactivated = referralEventDefinitionsByName[REFERRAL_EVENTS.codeDeactivated];
export const ReferralConverted = referralEventDefinitionsByName[REFERRAL_EVENTS.converted];
export const ReferralFlagged = referralEventDefinitionsByName[REFERRAL_EVENTS.flagged];
export const ReferralApproved = referralEventDefinitionsByName[REFERRAL_EVENTS.approved];
export const ReferralRejected = referralEventDefinitionsByName[REFERRAL_EVENTS.rejected];
export const ReferralLeadCreated = referralEventDefinitionsByName[REFERRAL_EVENTS.leadCreated];
export const ReferralLeadConverted = referralEventDefinitionsByName[REFERRAL_EVENTS.leadConverted];
export const ReferralReversed = referralEventDefinitionsByName[REFERRAL_EVENTS.reversed];
export const ReferralReferrerSuspended = referralEventDefinitionsByName[REFERRAL_EVENTS.referrerSuspended];
export const ReferralReferrerResumed = referralEventDefinitionsByName[REFERRAL_EVENTS.referrerResumed];

/** Every event the engine emits: `for (const def of referralEventDefinitions) registry.register(def)`. */
export const referralEventDefinitions: readonly ReferralEventDefinition[] = Object.freeze(Object.values(referralEventDefinitionsByName));

/** What an event's meta takes from the call: the actor, the tenant and the correlation id, as strings. */
export interface EventScope {
  actorId?: string | undefined;
  organizationId?: string | undefined;
  correlationId?: string | undefined;
}

/** What an event is about; forms its stable idempotency key. */
export interface EventSubject {
  resource: 'referral' | 'referral_code' | 'referral_referrer';
  resourceId: string;
  /** The state change this event reports. */
  change: string;
}

/** The definition builds the envelope, so every event (emitted or rebuilt) passes the registry's schema. */
/** The meta an event about `subject` carries beyond the call's: its stable key and what it is about. */
const subjectMeta = (subject: EventSubject, meta: Partial<EventMeta>): Partial<EventMeta> => ({
  idempotencyKey: `${subject.resource}:${subject.resourceId}:${subject.change}`,
  resource: subject.resource,
  resourceId: subject.resourceId,
  ...meta,
});

export const envelope = <K extends ReferralEventName>(
  type: K,
  payload: ReferralEventPayloads[K],
  subject: EventSubject,
  meta: Partial<EventMeta>,
): DomainEvent<ReferralEventPayloads[K], K> => referralEventDefinitionsByName[type].create(payload, subjectMeta(subject, meta));

/** The payload fields an outbox reads to store an event compact, known before its payload is built. */
export const PREVIEW = Symbol('preview');

/**
 * An emitted event whose payload is built and validated (through its definition) the first time
 * it is read: a write that turns out to be a replay never publishes it, so it never builds it.
 * `preview` holds what storing it compact needs; `payload` is an own enumerable property, so a
 * spread, a copy or BSON serialization sees it as on any other event.
 */
export const deferredEvent = <K extends ReferralEventName>(
  type: K,
  build: () => ReferralEventPayloads[K],
  preview: Record<string, unknown>,
  ctx: EventScope,
  subject: EventSubject,
  timestamp: Date,
): DomainEvent<ReferralEventPayloads[K], K> => {
  const meta = fullMeta(subjectMeta(subject, scopedMeta(ctx, timestamp)));
  let payload: ReferralEventPayloads[K] | undefined;
  const event = { type, meta, [PREVIEW]: preview } as unknown as DomainEvent<ReferralEventPayloads[K], K>;
  Object.defineProperty(event, 'payload', {
    enumerable: true,
    get: () => {
      payload ??= referralEventDefinitionsByName[type].zodSchema.parse(build()) as ReferralEventPayloads[K];
      return payload;
    },
  });
  return event;
};

/** An emitted event: the family's context-to-meta mapping (primitives' scopedEventMeta) for actor, tenant and correlation. */
export const buildEvent = <K extends ReferralEventName>(
  type: K,
  payload: ReferralEventPayloads[K],
  ctx: EventScope,
  subject: EventSubject,
  timestamp?: Date,
): DomainEvent<ReferralEventPayloads[K], K> => envelope(type, payload, subject, scopedMeta(ctx, timestamp));

/** The family's context-to-meta mapping (primitives' scopedEventMeta) for actor, tenant and correlation. */
const scopedMeta = (ctx: EventScope, timestamp: Date | undefined): Partial<EventMeta> => {
  const meta: Partial<EventMeta> = timestamp ? { timestamp } : {};
  if (ctx.actorId) meta.userId = ctx.actorId;
  if (ctx.organizationId) meta.organizationId = ctx.organizationId;
  if (ctx.correlationId) meta.correlationId = ctx.correlationId;
  return meta;
};
