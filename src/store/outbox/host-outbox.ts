import type { OutboxStore } from '../../events/outbox.js';
import type { ErrorReport, PublishOutcome } from '../../events/publisher.js';
import type { DomainEvent } from '../../events/types.js';
import type { CallScope } from '../scope.js';
import type { OutboxHealth } from './health.js';
import type { AnyCollection, Outbox, PendingEvents } from './outbox.js';
import type { ParkedEvent } from './parking.js';

const NO_BACKLOG: OutboxHealth = { pending: 0, oldestPendingAt: null, oldestAgeMs: null, parked: 0 };

/**
 * Events go to the host's `OutboxStore` (structurally @classytic/primitives'), saved in the
 * caller's session right after the state change, published, then acknowledged through it. The
 * documents carry nothing; parking and retries are the store's own business.
 */
export class HostOutbox implements Outbox {
  readonly voidUnset = {};
  readonly #store: OutboxStore;
  readonly #report: ErrorReport;
  readonly #collections: readonly AnyCollection[];

  constructor(store: OutboxStore, report: ErrorReport, collections: readonly AnyCollection[]) {
    this.#store = store;
    this.#report = report;
    this.#collections = collections;
  }

  insertFields() {
    return { fields: {}, release: {} };
  }

  updateFields() {
    return { set: {}, push: {} };
  }

  async save(events: readonly DomainEvent[], scope: CallScope): Promise<void> {
    for (const event of events) {
      try {
        await this.#store.save(event, { session: scope.ctx.session ?? null });
      } catch (error) {
        // Inside a transaction the caller's commit must fail with it; outside, the write stands.
        if (scope.inTransaction) throw error;
        this.#report(error, event);
      }
    }
  }

  async settle(events: readonly DomainEvent[], _home: unknown, outcome: PublishOutcome): Promise<void> {
    for (const event of events) {
      if (outcome.get(event.meta.id) !== null) continue;
      try {
        await this.#store.acknowledge(event.meta.id);
      } catch (error) {
        this.#report(error, event);
      }
    }
  }

  async pending(_scope: unknown, options: { limit: number }): Promise<PendingEvents> {
    const events = await this.#store.getPending(options.limit);
    return { batches: events.map((event) => ({ events: [event], home: null })), unreadable: 0 };
  }

  async parked(): Promise<ParkedEvent[]> {
    return [];
  }

  async requeue(): Promise<boolean> {
    return false;
  }

  async health(): Promise<Record<string, OutboxHealth>> {
    return Object.fromEntries(this.#collections.map((collection) => [collection.collectionName, NO_BACKLOG]));
  }

  async rewrittenPending(): Promise<{ _id: unknown; set: Record<string, unknown> }[]> {
    return []; // nothing unpublished is stored on the documents
  }

  async flush(): Promise<void> {}
}
