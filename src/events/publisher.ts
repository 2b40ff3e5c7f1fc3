import { PublishTimeoutError } from '../kernel/errors.js';
import type { DomainEvent, EventTransport } from './types.js';

/**
 * The time one verb may spend publishing, shared by every event it emits, whatever the number
 * of writes: the clock starts at its first publish. A hung transport costs a verb one budget.
 */
export class PublishBudget {
  readonly total: number;
  #deadline: number | undefined;

  constructor(totalMs: number) {
    this.total = totalMs;
  }

  /** Milliseconds left; the first call starts the clock. */
  remaining(): number {
    this.#deadline ??= Date.now() + this.total;
    return this.#deadline - Date.now();
  }
}

/**
 * Per event id: null when the transport accepted the event, else why it did not. An event the
 * verb's budget left no time to send is absent: it was never offered, so no failure is counted.
 */
export type PublishOutcome = ReadonlyMap<string, unknown>;

export type ErrorReport = (error: unknown, event: DomainEvent) => void;

/**
 * Settles with `work`, or rejects with `timeout()` after `ms`. The timer is unref'd, so a pending
 * deadline never keeps a process alive, and cleared as soon as `work` settles. `work` itself goes
 * on: a deadline bounds how long the caller waits, not what was already sent.
 */
export const withDeadline = <T>(work: Promise<T>, ms: number, timeout: () => Error): Promise<T> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(timeout()), ms);
    timer.unref();
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });

const bounded = <T>(promise: Promise<T>, ms: number, budget: number): Promise<T> => withDeadline(promise, ms, () => new PublishTimeoutError(budget));

/**
 * Hands events to the transport within a budget and reports each failure (a rejection, a
 * throwing subscriber, no answer in time) to `report`. Sends no database command: storing and
 * acknowledging are the outbox's. Several events go out together (`publishMany` when the
 * transport has it, else concurrently), so they share the budget instead of queueing behind it.
 */
export class EventPublisher {
  readonly #transport: EventTransport;
  readonly #report: ErrorReport;

  constructor(transport: EventTransport, report: ErrorReport) {
    this.#transport = transport;
    this.#report = report;
  }

  async publish(events: readonly DomainEvent[], budget: PublishBudget): Promise<PublishOutcome> {
    const outcome = new Map<string, unknown>();
    if (events.length === 0) return outcome;
    const ms = budget.remaining();
    if (ms > 0 && events.length > 1 && this.#transport.publishMany) await this.#publishMany(events, ms, budget.total, outcome);
    else if (ms > 0) await this.#publishEach(events, ms, budget.total, outcome);
    for (const event of events) {
      const error = outcome.has(event.meta.id) ? outcome.get(event.meta.id) : new PublishTimeoutError(budget.total);
      if (error !== null) this.#report(error, event);
    }
    return outcome;
  }

  async #publishMany(events: readonly DomainEvent[], ms: number, total: number, outcome: Map<string, unknown>): Promise<void> {
    const transport = this.#transport as Required<Pick<EventTransport, 'publishMany'>>;
    try {
      const results = await bounded(
        Promise.resolve().then(() => transport.publishMany(events)),
        ms,
        total,
      );
      for (const event of events) {
        const result = results.get(event.meta.id);
        outcome.set(event.meta.id, result === undefined ? new Error(`${this.#transport.name} returned no result for ${event.meta.id}`) : result);
      }
    } catch (error) {
      for (const event of events) outcome.set(event.meta.id, error);
    }
  }

  async #publishEach(events: readonly DomainEvent[], ms: number, total: number, outcome: Map<string, unknown>): Promise<void> {
    const settled = await Promise.allSettled(
      events.map((event) =>
        bounded(
          Promise.resolve().then(() => this.#transport.publish(event)),
          ms,
          total,
        ),
      ),
    );
    settled.forEach((result, index) => {
      outcome.set((events[index] as DomainEvent).meta.id, result.status === 'fulfilled' ? null : (result.reason as unknown));
    });
  }
}
