import type { mongo } from 'mongoose';
import { EventParkedError, PublishTimeoutError } from '../kernel/errors.js';
import { AckBuffer } from './ack-buffer.js';
import { operationalEvent } from './operational.js';
import type { OutboxStore } from './outbox.js';
import { recordFailure } from './parking.js';
import type { DomainEvent, EventTransport } from './types.js';

/** Where an embedded event lives until acknowledged. */
export interface EventHome {
  collection: mongo.Collection<mongo.Document>;
  documentId: unknown;
}

export interface DeliveryOptions {
  store: OutboxStore | undefined;
  ackDelayMs: number;
  /** A publish that has not settled by then counts as failed (the event stays pending). */
  publishTimeoutMs: number;
  /** Failed deliveries after which an embedded event is parked. */
  maxDeliveryAttempts: number;
}

/** Settles with `promise`, or rejects with PublishTimeoutError after `ms`; never keeps the process alive. */
const bounded = (promise: Promise<void>, ms: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new PublishTimeoutError(ms)), ms);
    timer.unref();
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });

/**
 * One delivery attempt of one event: publish (bounded in time), then acknowledge; a failure is
 * reported, counted against the event and, past the limit, parks it. Never throws.
 */
export class Delivery {
  readonly #transport: EventTransport;
  readonly #report: (error: unknown, event: DomainEvent) => void;
  readonly #options: DeliveryOptions;
  readonly #acks: AckBuffer;

  constructor(transport: EventTransport, report: (error: unknown, event: DomainEvent) => void, options: DeliveryOptions) {
    this.#transport = transport;
    this.#report = report;
    this.#options = options;
    this.#acks = new AckBuffer(options.ackDelayMs, (error) => report(error, operationalEvent('referral:outbox.ack')));
  }

  /** True when the transport accepted the event. */
  async deliver(event: DomainEvent, home: EventHome | undefined): Promise<boolean> {
    try {
      await bounded(
        Promise.resolve().then(() => this.#transport.publish(event)),
        this.#options.publishTimeoutMs,
      );
    } catch (error) {
      this.#report(error, event);
      if (home) await this.#countFailure(event, home, error);
      return false;
    }
    await this.#acknowledge(event, home);
    return true;
  }

  /** Writes buffered acknowledgements now. */
  flush(): Promise<void> {
    return this.#acks.flush();
  }

  async #countFailure(event: DomainEvent, home: EventHome, error: unknown): Promise<void> {
    try {
      const { attempts, parked } = await recordFailure(home.collection, home.documentId, event, error, this.#options.maxDeliveryAttempts);
      if (parked) this.#report(new EventParkedError(event.meta.id, attempts, error), event);
    } catch (failure) {
      this.#report(failure, event);
    }
  }

  async #acknowledge(event: DomainEvent, home: EventHome | undefined): Promise<void> {
    const { store } = this.#options;
    if (!store) {
      if (home) this.#acks.add(home.collection, home.documentId, event.meta.id);
      return;
    }
    try {
      await store.acknowledge(event.meta.id);
    } catch (error) {
      this.#report(error, event);
    }
  }
}
