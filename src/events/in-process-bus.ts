import { matchesEventPattern } from './glob.js';
import type { DomainEvent, EventHandler, EventTransport, Unsubscribe } from './types.js';

export interface InProcessBusOptions {
  /** Called when a subscriber throws; the publisher never sees subscriber failures. */
  onHandlerError?: (error: unknown, event: DomainEvent) => void;
}

interface Subscription {
  pattern: string;
  handler: EventHandler;
}

/**
 * The default transport: delivers to in-process subscribers and awaits them, so a handler has
 * run by the time the verb that emitted the event returns. A throwing handler is isolated.
 */
export class InProcessBus implements EventTransport {
  readonly name = 'in-process';
  readonly #subscriptions = new Set<Subscription>();
  readonly #onHandlerError: (error: unknown, event: DomainEvent) => void;

  constructor(options: InProcessBusOptions = {}) {
    this.#onHandlerError = options.onHandlerError ?? (() => {});
  }

  async publish(event: DomainEvent): Promise<void> {
    const handlers = [...this.#subscriptions].filter((s) => matchesEventPattern(s.pattern, event.type));
    await Promise.all(
      handlers.map(async ({ handler }) => {
        try {
          await handler(event);
        } catch (error) {
          this.#onHandlerError(error, event);
        }
      }),
    );
  }

  async publishMany(events: readonly DomainEvent[]): Promise<void> {
    for (const event of events) await this.publish(event);
  }

  subscribe(pattern: string, handler: EventHandler): Unsubscribe {
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
