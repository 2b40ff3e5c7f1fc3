import { matchesEventPattern } from './glob.js';
import type { DomainEvent, EventHandler, EventTransport, PublishManyResult } from './types.js';

export interface InProcessBusOptions {
  /**
   * Takes over subscriber failures: each is passed here and `publish` resolves. Without it,
   * `publish` rejects once every subscriber ran (with the error, or an AggregateError), so
   * the engine leaves the event unacknowledged and redelivers it.
   */
  onHandlerError?: (error: unknown, event: DomainEvent) => void;
}

interface Subscription {
  pattern: string;
  handler: EventHandler;
}

/**
 * The default transport: delivers to in-process subscribers and awaits them, so a handler has
 * run by the time the verb that emitted the event returns. A throwing handler never keeps the
 * others from running; its failure is the publish's failure unless `onHandlerError` takes it.
 */
export class InProcessBus implements EventTransport {
  readonly name = 'in-process';
  readonly #subscriptions = new Set<Subscription>();
  readonly #onHandlerError: ((error: unknown, event: DomainEvent) => void) | undefined;

  constructor(options: InProcessBusOptions = {}) {
    this.#onHandlerError = options.onHandlerError;
  }

  async publish(event: DomainEvent): Promise<void> {
    const handlers = [...this.#subscriptions].filter((s) => matchesEventPattern(s.pattern, event.type));
    const outcomes = await Promise.allSettled(handlers.map(async ({ handler }) => handler(event)));
    const errors = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
    if (errors.length === 0) return;
    if (this.#onHandlerError) {
      for (const error of errors) this.#onHandlerError(error, event);
      return;
    }
    throw errors.length === 1 ? errors[0] : new AggregateError(errors, `${errors.length} subscribers of ${event.type} failed`);
  }

  /** Publishes in order; each event's outcome is keyed by `meta.id` (null for success). */
  async publishMany(events: readonly DomainEvent[]): Promise<PublishManyResult> {
    const results = new Map<string, Error | null>();
    for (const event of events) {
      try {
        await this.publish(event);
        results.set(event.meta.id, null);
      } catch (error) {
        results.set(event.meta.id, error instanceof Error ? error : new Error(String(error)));
      }
    }
    return results;
  }

  async subscribe(pattern: string, handler: EventHandler): Promise<() => void> {
    const subscription: Subscription = { pattern, handler };
    this.#subscriptions.add(subscription);
    return () => {
      this.#subscriptions.delete(subscription);
    };
  }

  async close(): Promise<void> {
    this.#subscriptions.clear();
  }
}
