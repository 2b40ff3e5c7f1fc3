import type { mongo } from 'mongoose';
import { type EventSubject, envelope, PREVIEW } from '../../events/definitions.js';
import type { ReferralEventName } from '../../events/names.js';
import type { ErrorReport, PublishOutcome } from '../../events/publisher.js';
import type { DomainEvent, EventMeta } from '../../events/types.js';
import { EventParkedError } from '../../kernel/errors.js';
import type { CallScope } from '../scope.js';
import { AckBuffer } from './ack-buffer.js';
import { type RelaySource, readPending, rewrittenPending } from './embedded-relay.js';
import { PENDING_UNSET } from './fields.js';
import { type OutboxHealth, outboxHealth } from './health.js';
import type { AnyCollection, EventHome, Outbox, OutboxScope, PendingEvents } from './outbox.js';
import { listParked, type ParkedEvent, recordFailure, requeueParked } from './parking.js';

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

/** How one event type is rebuilt from the document it was stored on. */
export interface EventExpander {
  /** Payload fields the document does not hold, each always present, with its usual value: only other values are stored. */
  readonly facts: Readonly<Record<string, string | number | boolean>>;
  /** The payload field (an ISO instant, a Date of the same name on the document) that equals `meta.timestamp`. */
  readonly timestampField: string;
  /** The event's subject and payload, from its document and its facts (stored or usual). */
  rebuild(document: mongo.Document, facts: Record<string, unknown>): { payload: unknown; subject: EventSubject };
}

type EventExpanders = Readonly<Record<string, EventExpander>>;

/** Meta fields every rebuild derives (the definition's constants and the subject). */
const DERIVED_META = new Set(['source', 'schemaVersion', 'idempotencyKey', 'resource', 'resourceId']);

const isCompact = (stored: StoredEvent): stored is CompactEvent => !('payload' in stored);

/**
 * The compact form of `event`, stored on a document whose tenant is `tenant` (null: single-tenant).
 * The timestamp and tenant are left out only when the document gives them back exactly.
 */
export const compactEvent = (event: DomainEvent, expander: EventExpander, tenant: unknown): CompactEvent => {
  // A deferred event previews the fields read here, so storing it does not build its payload.
  const payload = ((event as { [PREVIEW]?: Record<string, unknown> })[PREVIEW] ?? event.payload) as Record<string, unknown>;
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

/** Which events are stored compact, and the tenant field a compact event's `meta.organizationId` is read back from. */
interface Compaction {
  expanders: EventExpanders;
  tenantField: string | null;
}

/** The form `event` is stored in on a document of tenant `tenant`: compact when its payload can be rebuilt from the document. */
const storedForm = (compaction: Compaction, event: DomainEvent, tenant: Record<string, unknown>): StoredEvent => {
  const expander = compaction.expanders[event.type];
  return expander ? compactEvent(event, expander, compaction.tenantField ? tenant[compaction.tenantField] : undefined) : event;
};

/** The event an outbox entry stands for: itself, or rebuilt from `document` (same id, timestamp and key). */
const expandStored = (compaction: Compaction, stored: StoredEvent, document: mongo.Document): DomainEvent => {
  if (!isCompact(stored)) return stored;
  const expander = compaction.expanders[stored.type];
  if (!expander) throw new Error(`No expander for the compact event ${stored.type} (${stored.meta.id})`);
  const { payload, subject } = expander.rebuild(document, { ...expander.facts, ...stored.facts });
  const meta = { ...stored.meta, ...derivedMeta(stored, expander, document, compaction.tenantField) };
  return envelope(stored.type as ReferralEventName, payload as never, subject, meta);
};

export interface EmbeddedOutboxOptions {
  /** Every collection whose documents carry events. */
  collections: readonly AnyCollection[];
  compaction: Compaction;
  ackDelayMs: number;
  /** Failed deliveries after which an event is parked. */
  maxDeliveryAttempts: number;
  report: ErrorReport;
  /** The stand-in event a failure that belongs to no single event (an acknowledgement batch) is reported with. */
  ackFailureEvent: DomainEvent;
}

/**
 * Events ride in the changed document itself (`outbox`, `pendingEventsAt`), written by the same
 * command as the state change, so an event exists exactly when its change was committed. They
 * leave it when acknowledged (batched), or for `parkedEvents` after too many failed deliveries.
 */
export class EmbeddedOutbox implements Outbox {
  readonly voidUnset = PENDING_UNSET;
  readonly #options: EmbeddedOutboxOptions;
  readonly #acks: AckBuffer;
  readonly #relay: RelaySource;

  constructor(options: EmbeddedOutboxOptions) {
    this.#options = options;
    this.#acks = new AckBuffer(options.ackDelayMs, (error) => options.report(error, options.ackFailureEvent));
    this.#relay = {
      collections: options.collections,
      report: options.report,
      expand: (stored, document) => expandStored(options.compaction, stored, document),
    };
  }

  /** The relay finds a document by `pendingEventsAt`: a held record gets it only once it stands. */
  insertFields(events: readonly DomainEvent[], scope: CallScope, held = false) {
    if (events.length === 0) return { fields: {}, release: {} };
    const outbox = events.map((event) => storedForm(this.#options.compaction, event, scope.tenant));
    const pending = { pendingEventsAt: scope.now };
    return held ? { fields: { outbox }, release: pending } : { fields: { outbox, ...pending }, release: {} };
  }

  updateFields(events: readonly DomainEvent[], scope: CallScope) {
    if (events.length === 0) return { set: {}, push: {} };
    const stored = events.map((event) => storedForm(this.#options.compaction, event, scope.tenant));
    return { set: { pendingEventsAt: scope.now }, push: { outbox: { $each: stored } } };
  }

  async settle(events: readonly DomainEvent[], home: EventHome | null, outcome: PublishOutcome): Promise<void> {
    if (!home) return;
    for (const event of events) {
      if (!outcome.has(event.meta.id)) continue; // never offered: it waits for the relay, no failure counted
      const error = outcome.get(event.meta.id);
      if (error === null) this.#acks.add(home, event.meta.id);
      else await this.#countFailure(event, home, error);
    }
  }

  async pending(scope: OutboxScope, options: { limit: number; olderThanMs: number }): Promise<PendingEvents> {
    await this.#acks.flush();
    return readPending(this.#relay, scope, options);
  }

  parked(scope: OutboxScope, limit: number): Promise<ParkedEvent[]> {
    return listParked(this.#options.collections, scope, limit);
  }

  requeue(scope: OutboxScope, eventId: string): Promise<boolean> {
    return requeueParked(this.#options.collections, scope, eventId);
  }

  async health(scope: OutboxScope): Promise<Record<string, OutboxHealth>> {
    const entries = await Promise.all(
      this.#options.collections.map(async (collection) => [collection.collectionName, await outboxHealth(collection, scope)] as const),
    );
    return Object.fromEntries(entries);
  }

  /** Rewrites every unpublished event on the documents `filter` matches (erasure), compact ones rebuilt and stored in full. */
  rewrittenPending(collection: AnyCollection, scope: CallScope, filter: Record<string, unknown>, rewrite: (event: DomainEvent) => DomainEvent) {
    return rewrittenPending(this.#relay, collection, scope, filter, rewrite);
  }

  flush(): Promise<void> {
    return this.#acks.flush();
  }

  async #countFailure(event: DomainEvent, home: EventHome, error: unknown): Promise<void> {
    try {
      const { attempts, parked } = await recordFailure(home, event, error, this.#options.maxDeliveryAttempts);
      if (parked) this.#options.report(new EventParkedError(event.meta.id, attempts, error), event);
    } catch (failure) {
      this.#options.report(failure, event);
    }
  }
}
