import type { ClientSession } from 'mongoose';
import { z } from 'zod';
import type { DomainEvent } from './types.js';

/**
 * A host-provided outbox (for example a table the host's relay already drains). When given,
 * events are saved through it in the caller's session right after the state change, published,
 * then acknowledged. Without one, events are embedded in the changed document itself.
 */
export interface OutboxStore {
  save(event: DomainEvent, options: { session?: ClientSession | null }): Promise<void>;
  getPending(limit: number): Promise<DomainEvent[]>;
  acknowledge(id: string): Promise<void>;
}

/**
 * Fields that carry not-yet-acknowledged events on a document. They are written by the same
 * command as the state change, so an event exists exactly when its change was committed.
 */
export interface EmbeddedOutboxFields {
  outbox?: DomainEvent[];
  /** Present while `outbox` holds events; the relay finds pending documents by it. */
  pendingEventsAt?: Date;
}

/** For inserts (`$setOnInsert`): the document starts with its events pending. */
export const outboxOnInsert = (events: readonly DomainEvent[], now: Date): EmbeddedOutboxFields =>
  events.length > 0 ? { outbox: [...events], pendingEventsAt: now } : {};

/** For updates: the events join whatever is still pending on the document. */
export const outboxOnUpdate = (events: readonly DomainEvent[], now: Date) =>
  events.length > 0 ? { push: { outbox: { $each: [...events] } }, set: { pendingEventsAt: now } } : { push: {}, set: {} };

const DAY_MS = 86_400_000;

/** redeliver() / parked() options: whole numbers only, so an operator object or NaN never reaches a query. */
export const redeliverOptionsSchema = z.strictObject({
  /** At most this many documents (embedded) or events (host store) per call. Default 100. */
  limit: z.number().int().min(1).max(10_000).optional(),
  /** Skip events younger than this, so a relay does not race in-flight publishes. Default 0. */
  olderThanMs: z.number().int().min(0).max(365 * DAY_MS).optional(),
});

export type RedeliverOptions = z.input<typeof redeliverOptionsSchema>;

/** An event's `meta.id`, as given back to requeue(). */
export const eventIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\w.:-]+$/, 'Not an event id');

export const relayOptionsSchema = redeliverOptionsSchema.extend({
  /** How often the relay runs, in ms. Default 5000. */
  intervalMs: z.number().int().min(10).max(DAY_MS).optional(),
});

export type RelayOptions = z.input<typeof relayOptionsSchema>;

export interface RedeliverReport {
  published: number;
  failed: number;
}
