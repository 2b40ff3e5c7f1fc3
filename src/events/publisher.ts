import type { ClientSession, mongo } from 'mongoose';
import { Delivery, type DeliveryOptions, type EventHome } from './delivery.js';
import { referralEventDefinitionsByName } from './definitions.js';
import type { ReferralEventName } from './names.js';
import type { RedeliverOptions, RedeliverReport } from './outbox.js';
import { listParked, type ParkedEvent, requeueParked } from './parking.js';
import type { ReferralEventPayloads } from './payloads.js';
import type { DomainEvent, EventMeta, EventTransport } from './types.js';
import { findAll } from '../kernel/cursor.js';

export interface EventOptions {
  resource: 'referral' | 'referral_code';
  resourceId: string;
  /** The state change this event reports; forms the stable idempotency key. */
  change: string;
}

/** What an event's meta takes from the call: the actor, the tenant and the correlation id, as strings. */
export interface EventScope {
  actorId?: string | undefined;
  organizationId?: string | undefined;
  correlationId?: string | undefined;
}

export type PublishErrorHandler = (error: unknown, event: DomainEvent) => void;

type AnyCollection = mongo.Collection<mongo.Document>;

export type { EventHome };

/** The write the events were stored with: inside a transaction they wait for redeliver(). */
export interface WriteSession {
  session: ClientSession | null;
  inTransaction: boolean;
}

const DEFAULT_REDELIVER_LIMIT = 100;

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

  constructor(transport: EventTransport, onError: PublishErrorHandler, options: DeliveryOptions) {
    this.#onError = onError;
    this.#options = options;
    this.#delivery = new Delivery(transport, (error, event) => this.#report(error, event), options);
  }

  /** True when events travel inside the changed document (no host outbox store). */
  get embedsEvents(): boolean {
    return this.#options.store === undefined;
  }

  /** Every emitted event is created by its definition, so its payload passes the registry's schema. */
  build<K extends ReferralEventName>(type: K, payload: ReferralEventPayloads[K], ctx: EventScope, options: EventOptions): DomainEvent<ReferralEventPayloads[K], K> {
    const meta: Partial<EventMeta> = {
      idempotencyKey: `${options.resource}:${options.resourceId}:${options.change}`,
      resource: options.resource,
      resourceId: options.resourceId,
    };
    // The family's context-to-meta mapping (primitives' scopedEventMeta): actor, tenant, correlation.
    if (ctx.actorId) meta.userId = ctx.actorId;
    if (ctx.organizationId) meta.organizationId = ctx.organizationId;
    if (ctx.correlationId) meta.correlationId = ctx.correlationId;
    return referralEventDefinitionsByName[type].create(payload, meta);
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
      const documents = await findAll(collection, { ...tenantFilter, pendingEventsAt: { $lte: cutoff } }, { projection: { outbox: 1 }, sort: { pendingEventsAt: 1 }, limit });
      for (const document of documents) {
        for (const event of (document.outbox ?? []) as DomainEvent[]) await count(event, { collection, documentId: document._id });
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

  #report(error: unknown, event: DomainEvent): void {
    try {
      this.#onError(error, event);
    } catch {
      // A throwing error hook must not turn a committed write into a failed call.
    }
  }
}
