import type { ClientSession, mongo } from 'mongoose';
import { findAll } from '../kernel/cursor.js';
import { compactEvent, derivedMeta, type EventExpanders, type EventSubject, isCompact, type StoredEvent } from './compact.js';
import { referralEventDefinitionsByName } from './definitions.js';
import { Delivery, type DeliveryOptions, type EventHome } from './delivery.js';
import type { ReferralEventName } from './names.js';
import type { RedeliverOptions, RedeliverReport } from './outbox.js';
import { listParked, type ParkedEvent, requeueParked } from './parking.js';
import type { ReferralEventPayloads } from './payloads.js';
import type { DomainEvent, EventMeta, EventTransport } from './types.js';

/** What an event's meta takes from the call: the actor, the tenant and the correlation id, as strings. */
export interface EventScope {
  actorId?: string | undefined;
  organizationId?: string | undefined;
  correlationId?: string | undefined;
}

export type PublishErrorHandler = (error: unknown, event: DomainEvent) => void;

type AnyCollection = mongo.Collection<mongo.Document>;

export type { EventHome };

/** Which events are stored compact, and the tenant field a compact event's `meta.organizationId` is read back from. */
export interface Compaction {
  expanders: EventExpanders;
  tenantField: string | null;
}

/** The write the events were stored with: inside a transaction they wait for redeliver(). */
export interface WriteSession {
  session: ClientSession | null;
  inTransaction: boolean;
}

const DEFAULT_REDELIVER_LIMIT = 100;

/** A relay reads whole documents (compact events are rebuilt from them), less the parking fields. */
const RELAY_PROJECTION = { parkedEvents: 0, deliveryFailures: 0 } as const;

/** The definition builds the envelope, so every event (emitted or rebuilt) passes the registry's schema. */
const envelope = <K extends ReferralEventName>(
  type: K,
  payload: ReferralEventPayloads[K],
  subject: EventSubject,
  meta: Partial<EventMeta>,
): DomainEvent<ReferralEventPayloads[K], K> =>
  referralEventDefinitionsByName[type].create(payload, {
    idempotencyKey: `${subject.resource}:${subject.resourceId}:${subject.change}`,
    resource: subject.resource,
    resourceId: subject.resourceId,
    ...meta,
  });

/**
 * Builds event envelopes and delivers them at least once. Events are stored with the state
 * change (embedded in the document, or through a host OutboxStore), published after the write
 * and acknowledged once the transport accepted them. A transport failure (a rejection, a
 * throwing in-process subscriber, or no answer within `publishTimeoutMs`) goes to `onError`,
 * never fails the write, and leaves the event for `redeliver()`; an embedded event that fails
 * `maxDeliveryAttempts` times is parked. Inside a transaction nothing is published: the events
 * become visible with the commit, and `redeliver()` sends them.
 */
export class EventPublisher {
  readonly #onError: PublishErrorHandler;
  readonly #options: DeliveryOptions;
  readonly #delivery: Delivery;
  readonly #compaction: Compaction;

  constructor(
    transport: EventTransport,
    onError: PublishErrorHandler,
    options: DeliveryOptions,
    compaction: Compaction = { expanders: {}, tenantField: null },
  ) {
    this.#onError = onError;
    this.#options = options;
    this.#compaction = compaction;
    this.#delivery = new Delivery(transport, (error, event) => this.#report(error, event), options);
  }

  /** True when events travel inside the changed document (no host outbox store). */
  get embedsEvents(): boolean {
    return this.#options.store === undefined;
  }

  /** Every emitted event is created by its definition, so its payload passes the registry's schema. */
  build<K extends ReferralEventName>(
    type: K,
    payload: ReferralEventPayloads[K],
    ctx: EventScope,
    options: EventSubject,
    timestamp?: Date,
  ): DomainEvent<ReferralEventPayloads[K], K> {
    const meta: Partial<EventMeta> = timestamp ? { timestamp } : {};
    // The family's context-to-meta mapping (primitives' scopedEventMeta): actor, tenant, correlation.
    if (ctx.actorId) meta.userId = ctx.actorId;
    if (ctx.organizationId) meta.organizationId = ctx.organizationId;
    if (ctx.correlationId) meta.correlationId = ctx.correlationId;
    return envelope(type, payload, options, meta);
  }

  /** The form `event` is stored in on a document of tenant `tenant`: compact when its payload can be rebuilt from the document. */
  stored(event: DomainEvent, tenant: Record<string, unknown>): StoredEvent {
    const { expanders, tenantField } = this.#compaction;
    const expander = expanders[event.type];
    return expander ? compactEvent(event, expander, tenantField ? tenant[tenantField] : undefined) : event;
  }

  /** The event an outbox entry stands for: itself, or rebuilt from `document` (same id, timestamp and key). */
  expand(stored: StoredEvent, document: mongo.Document): DomainEvent {
    if (!isCompact(stored)) return stored;
    const { expanders, tenantField } = this.#compaction;
    const expander = expanders[stored.type];
    if (!expander) throw new Error(`No expander for the compact event ${stored.type} (${stored.meta.id})`);
    const { payload, subject } = expander.rebuild(document, { ...expander.facts, ...stored.facts });
    return envelope(stored.type as ReferralEventName, payload as never, subject, { ...stored.meta, ...derivedMeta(stored, expander, document, tenantField) });
  }

  /** Call right after the write that stored `events` (embedded) committed or joined the caller's transaction. */
  async afterWrite(events: readonly DomainEvent[], home: EventHome, write: WriteSession): Promise<void> {
    if (events.length === 0) return;
    const { store } = this.#options;
    if (store) {
      for (const event of events) {
        try {
          await store.save(event, { session: write.session });
        } catch (error) {
          // Inside a transaction the caller's commit must fail with it; outside, the write stands.
          if (write.inTransaction) throw error;
          this.#report(error, event);
        }
      }
    }
    if (write.inTransaction) return;
    for (const event of events) await this.#delivery.deliver(event, store ? undefined : home);
  }

  /**
   * Publishes what was stored but never acknowledged (a crash, a transport outage, a committed
   * transaction). Consumers may see an event twice and drop it by `meta.idempotencyKey`.
   */
  async redeliver(collections: readonly AnyCollection[], tenantFilter: Record<string, unknown>, options: RedeliverOptions = {}): Promise<RedeliverReport> {
    const limit = options.limit ?? DEFAULT_REDELIVER_LIMIT;
    const report: RedeliverReport = { published: 0, failed: 0 };
    const count = async (event: DomainEvent, home?: EventHome) => {
      if (await this.#delivery.deliver(event, home)) report.published++;
      else report.failed++;
    };
    const { store } = this.#options;
    if (store) {
      for (const event of await store.getPending(limit)) await count(event);
      return report;
    }
    await this.#delivery.flush();
    const cutoff = new Date(Date.now() - (options.olderThanMs ?? 0));
    for (const collection of collections) {
      // query: outbox.pending
      const documents = await findAll(
        collection,
        { ...tenantFilter, pendingEventsAt: { $lte: cutoff } },
        { projection: RELAY_PROJECTION, sort: { pendingEventsAt: 1 }, limit },
      );
      for (const document of documents) {
        for (const stored of (document.outbox ?? []) as StoredEvent[]) {
          const event = this.#expandOrReport(stored, document);
          if (event) await count(event, { collection, documentId: document._id });
          else report.failed++;
        }
      }
    }
    await this.#delivery.flush();
    return report;
  }

  /** Events parked after too many failed deliveries (embedded outbox only), oldest first. */
  parked(collections: readonly AnyCollection[], tenantFilter: Record<string, unknown>, limit = DEFAULT_REDELIVER_LIMIT): Promise<ParkedEvent[]> {
    return listParked(collections, tenantFilter, limit);
  }

  /** Puts a parked event back in its outbox; the next redeliver() sends it. False when no such parked event. */
  requeue(collections: readonly AnyCollection[], tenantFilter: Record<string, unknown>, eventId: string): Promise<boolean> {
    return requeueParked(collections, tenantFilter, eventId, new Date());
  }

  /** Writes buffered acknowledgements now (also done on a short timer and by destroy()). */
  flush(): Promise<void> {
    return this.#delivery.flush();
  }

  /** A document too damaged to rebuild its event from is reported and left pending. */
  #expandOrReport(stored: StoredEvent, document: mongo.Document): DomainEvent | null {
    try {
      return this.expand(stored, document);
    } catch (error) {
      this.#report(error, { type: stored.type, payload: {}, meta: { timestamp: new Date(), ...stored.meta } });
      return null;
    }
  }

  #report(error: unknown, event: DomainEvent): void {
    try {
      this.#onError(error, event);
    } catch {
      // A throwing error hook must not turn a committed write into a failed call.
    }
  }
}
