import type { mongo } from 'mongoose';
import type { DomainEvent, EventMeta } from './types.js';

/**
 * An embedded outbox entry stored without its payload: the document it rides in holds every
 * payload field (or `facts` holds the few it cannot give back), so storing them twice would only
 * double the write. It is rebuilt, same id and idempotency key, when a relay or erasure reads it.
 */
export interface CompactEvent {
  type: string;
  /** The meta the document cannot give back: the id, and the actor and correlation of the call. */
  meta: Partial<EventMeta> & Pick<EventMeta, 'id'>;
  /** Payload fields the document does not keep, when they differ from their usual value. */
  facts?: Record<string, unknown>;
}

/** An outbox entry as stored: a full event, or a compact one to rebuild from its document. */
export type StoredEvent = DomainEvent | CompactEvent;

/** What an event is about; forms its stable idempotency key. */
export interface EventSubject {
  resource: 'referral' | 'referral_code';
  resourceId: string;
  /** The state change this event reports. */
  change: string;
}

/** How one event type is rebuilt from the document it was stored on. */
export interface EventExpander {
  /** Payload fields the document does not hold, each always present, with its usual value: only other values are stored. */
  readonly facts: Readonly<Record<string, string | number | boolean>>;
  /** The payload field (an ISO instant, a Date of the same name on the document) that equals `meta.timestamp`. */
  readonly timestampField: string;
  /** The event's subject and payload, from its document and its facts (stored or usual). */
  rebuild(document: mongo.Document, facts: Record<string, unknown>): { payload: unknown; subject: EventSubject };
}

export type EventExpanders = Readonly<Record<string, EventExpander>>;

/** Meta fields every rebuild derives (the definition's constants and the subject). */
const DERIVED_META = new Set(['source', 'schemaVersion', 'idempotencyKey', 'resource', 'resourceId']);

export const isCompact = (stored: StoredEvent): stored is CompactEvent => !('payload' in stored);

/**
 * The compact form of `event`, stored on a document whose tenant is `tenant` (null: single-tenant).
 * The timestamp and tenant are left out only when the document gives them back exactly.
 */
export const compactEvent = (event: DomainEvent, expander: EventExpander, tenant: unknown): CompactEvent => {
  const payload = event.payload as Record<string, unknown>;
  const timestampDerivable = payload[expander.timestampField] === event.meta.timestamp.toISOString();
  const tenantDerivable = tenant !== undefined && tenant !== null && String(tenant) === event.meta.organizationId;
  const derivable = (key: string) => DERIVED_META.has(key) || (key === 'timestamp' && timestampDerivable) || (key === 'organizationId' && tenantDerivable);
  const meta = Object.fromEntries(Object.entries(event.meta).filter(([key, value]) => !derivable(key) && value !== undefined)) as CompactEvent['meta'];
  const facts = Object.fromEntries(
    Object.entries(expander.facts)
      .filter(([field, usual]) => payload[field] !== usual)
      .map(([field]) => [field, payload[field]]),
  );
  return { type: event.type, meta, ...(Object.keys(facts).length > 0 ? { facts } : {}) };
};

/** The meta a compact event left out, taken back from its document. */
export const derivedMeta = (stored: CompactEvent, expander: EventExpander, document: mongo.Document, tenantField: string | null): Partial<EventMeta> => {
  const derived: Partial<EventMeta> = {};
  if (!stored.meta.timestamp) derived.timestamp = document[expander.timestampField] as Date;
  const tenant: unknown = tenantField ? document[tenantField] : undefined;
  if (!stored.meta.organizationId && tenant !== undefined && tenant !== null) derived.organizationId = String(tenant);
  return derived;
};
