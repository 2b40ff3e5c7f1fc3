import { z } from 'zod';
import type { DeadLetteredEvent, DomainEvent } from './types.js';

/** `save` options, as @classytic/primitives' outbox contract declares them (all best-effort). */
export interface OutboxWriteOptions {
  /** The caller's session: a store that declares `transactionalSave` writes in it. */
  readonly session?: unknown;
  readonly visibleAt?: Date;
  readonly dedupeKey?: string;
  readonly partitionKey?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * A host outbox, structurally @classytic/primitives' `OutboxStore`: events are saved through
 * it in the caller's session right after the state change, published, then acknowledged.
 * The engine refuses, at construction, a store that does not declare `transactionalSave: true`:
 * a store that ignores the session would keep the event of a write that rolled back.
 */
export interface OutboxStore {
  /** True when `save` writes in `options.session`, so the event commits or rolls back with the change. */
  readonly transactionalSave?: boolean;
  save(event: DomainEvent, options?: OutboxWriteOptions): Promise<void>;
  getPending(limit: number): Promise<DomainEvent[]>;
  acknowledge(eventId: string, options?: { readonly consumerId?: string }): Promise<void>;
  claimPending?(options?: {
    readonly limit?: number;
    readonly consumerId?: string;
    readonly leaseMs?: number;
    readonly types?: readonly string[];
  }): Promise<DomainEvent[]>;
  fail?(
    eventId: string,
    error: { readonly message: string; readonly code?: string },
    options?: { readonly consumerId?: string; readonly retryAt?: Date; readonly deadLetter?: boolean },
  ): Promise<void>;
  getDeadLettered?(limit: number): Promise<DeadLetteredEvent[]>;
  purge?(olderThanMs: number): Promise<number>;
}

const DAY_MS = 86_400_000;

/** redeliver() / parked() options: whole numbers only, so an operator object or NaN never reaches a query. */
export const redeliverOptionsSchema = z.strictObject({
  /** At most this many documents (embedded) or events (host store) per call. Default 100. */
  limit: z.number().int().min(1).max(10_000).optional(),
  /** Skip events younger than this, so a relay does not race in-flight publishes. Default 0. */
  olderThanMs: z
    .number()
    .int()
    .min(0)
    .max(365 * DAY_MS)
    .optional(),
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
