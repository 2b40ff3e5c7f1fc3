import type { ClientSession, mongo } from 'mongoose';
import type { ReferralContext } from '../kernel/context.js';
import { AckBuffer } from './ack-buffer.js';
import { referralEventDefinitions } from './definitions.js';
import { operationalEvent } from './operational.js';
import type { ReferralEventName } from './names.js';
import type { OutboxStore, RedeliverOptions, RedeliverReport } from './outbox.js';
import type { ReferralEventPayloads } from './payloads.js';
import type { DomainEvent, EventMeta, EventTransport } from './types.js';

export interface EventOptions {
  resource: 'referral' | 'referral_code';
  resourceId: string;
  /** The state change this event reports; forms the stable idempotency key. */
  change: string;
}

export type PublishErrorHandler = (error: unknown, event: DomainEvent) => void;

type AnyCollection = mongo.Collection<mongo.Document>;

/** Where an embedded event lives until acknowledged. */
export interface EventHome {
  collection: AnyCollection;
  documentId: unknown;
}

/** The write the events were stored with: inside a transaction they wait for redeliver(). */
export interface WriteSession {
  session: ClientSession | null;
  inTransaction: boolean;
}

const DEFAULT_REDELIVER_LIMIT = 100;

/**
 * Builds event envelopes and delivers them at least once. Events are stored with the state
 * change (embedded in the document, or through a host OutboxStore), published after the write
 * and acknowledged once the transport accepted them. A transport failure goes to `onError`,
 * never fails the write, and leaves the event for `redeliver()`. Inside a transaction nothing is
 * published: the events become visible with the commit, and `redeliver()` sends them.
 */
export class EventPublisher {
  readonly #transport: EventTransport;
  readonly #onError: PublishErrorHandler;
  readonly #store: OutboxStore | undefined;
  readonly #acks: AckBuffer;

  constructor(transport: EventTransport, onError: PublishErrorHandler, options: { store?: OutboxStore | undefined; ackDelayMs: number }) {
    this.#transport = transport;
    this.#onError = onError;
    this.#store = options.store;
    this.#acks = new AckBuffer(options.ackDelayMs, (error) => this.#report(error, operationalEvent('referral:outbox.ack')));
  }

  /** True when events travel inside the changed document (no host outbox store). */
  get embedsEvents(): boolean {
    return this.#store === undefined;
  }

  /** Every emitted event is created by its definition, so its payload passes the registry's schema. */
  build<K extends ReferralEventName>(type: K, payload: ReferralEventPayloads[K], ctx: ReferralContext, options: EventOptions): DomainEvent<ReferralEventPayloads[K], K> {
    const meta: Partial<EventMeta> = {
      idempotencyKey: `${options.resource}:${options.resourceId}:${options.change}`,
      resource: options.resource,
      resourceId: options.resourceId,
    };
    if (ctx.correlationId) meta.correlationId = ctx.correlationId;
    if (ctx.idempotencyKey) meta.causationId = ctx.idempotencyKey;
    if (ctx.actorId) meta.userId = String(ctx.actorId);
    if (ctx.organizationId) meta.organizationId = String(ctx.organizationId);
    return referralEventDefinitions[type].create(payload, meta) as DomainEvent<ReferralEventPayloads[K], K>;
  }

  /** Call right after the write that stored `events` (embedded) committed or joined the caller's transaction. */
  async afterWrite(events: readonly DomainEvent[], home: EventHome, write: WriteSession): Promise<void> {
    if (events.length === 0) return;
    const { inTransaction } = write;
    if (this.#store) {
      for (const event of events) {
        try {
          await this.#store.save(event, { session: write.session });
        } catch (error) {
          // Inside a transaction the caller's commit must fail with it; outside, the write stands.
          if (inTransaction) throw error;
          this.#report(error, event);
        }
      }
    }
    if (inTransaction) return;
    for (const event of events) {
      if (await this.#publish(event)) await this.#acknowledge(event, home);
    }
  }

  /**
   * Publishes what was stored but never acknowledged (a crash, a transport outage, a committed
   * transaction). Consumers may see an event twice and drop it by `meta.idempotencyKey`.
   */
  async redeliver(collections: readonly AnyCollection[], tenantFilter: Record<string, unknown>, options: RedeliverOptions = {}): Promise<RedeliverReport> {
    const limit = options.limit ?? DEFAULT_REDELIVER_LIMIT;
    const report: RedeliverReport = { published: 0, failed: 0 };
    const count = async (event: DomainEvent, home?: EventHome) => {
      if (await this.#publish(event)) {
        report.published++;
        await this.#acknowledge(event, home);
      } else report.failed++;
    };
    if (this.#store) {
      for (const event of await this.#store.getPending(limit)) await count(event);
      return report;
    }
    await this.#acks.flush();
    const cutoff = new Date(Date.now() - (options.olderThanMs ?? 0));
    for (const collection of collections) {
      // query: outbox.pending
      const documents = await collection
        .find({ ...tenantFilter, pendingEventsAt: { $lte: cutoff } }, { projection: { outbox: 1 }, sort: { pendingEventsAt: 1 }, limit })
        .toArray();
      for (const document of documents) {
        for (const event of (document.outbox ?? []) as DomainEvent[]) await count(event, { collection, documentId: document._id });
      }
    }
    await this.#acks.flush();
    return report;
  }

  /** Writes buffered acknowledgements now (also done on a short timer and by destroy()). */
  flush(): Promise<void> {
    return this.#acks.flush();
  }

  async #publish(event: DomainEvent): Promise<boolean> {
    try {
      await this.#transport.publish(event);
      return true;
    } catch (error) {
      this.#report(error, event);
      return false;
    }
  }

  async #acknowledge(event: DomainEvent, home: EventHome | undefined): Promise<void> {
    if (this.#store) {
      try {
        await this.#store.acknowledge(event.meta.id);
      } catch (error) {
        this.#report(error, event);
      }
    } else if (home) this.#acks.add(home.collection, home.documentId, event.meta.id);
  }

  #report(error: unknown, event: DomainEvent): void {
    try {
      this.#onError(error, event);
    } catch {
      // A throwing error hook must not turn a committed write into a failed call.
    }
  }
}
