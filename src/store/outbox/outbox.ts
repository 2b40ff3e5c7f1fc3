import type { mongo } from 'mongoose';
import type { PublishOutcome } from '../../events/publisher.js';
import type { DomainEvent } from '../../events/types.js';
import type { TenantFilter } from '../../kernel/tenant.js';
import type { CallScope } from '../scope.js';
import type { OutboxHealth } from './health.js';
import type { ParkedEvent } from './parking.js';

export type AnyCollection = mongo.Collection<mongo.Document>;

/** Where an embedded event lives until acknowledged: its document, found within its tenant. */
export interface EventHome {
  collection: AnyCollection;
  documentId: unknown;
  tenant: TenantFilter;
}

/** What outbox commands outside a verb call carry: the tenant (empty for the cross-tenant relay) and a clock reading. */
export interface OutboxScope {
  readonly tenant: TenantFilter;
  readonly now: Date;
}

/** Events waiting for delivery, grouped by the document they are stored on (null home: a host store). */
export interface PendingBatch {
  events: DomainEvent[];
  home: EventHome | null;
}

export interface PendingEvents {
  batches: PendingBatch[];
  /** Stored entries too damaged to rebuild an event from (reported, left pending). */
  unreadable: number;
}

/**
 * Where a write's events are stored until the transport accepted them. The executor and the
 * relay are its only callers; its two implementations (events embedded in the changed document,
 * or a host `OutboxStore`) are the only places that know which one is in use.
 */
export interface Outbox {
  /**
   * Fields an insert carries so its events are stored in the same command; `held`: stored but not
   * relayed until released, with the fields the write that makes the record stand adds to release them.
   */
  insertFields(events: readonly DomainEvent[], scope: CallScope, held?: boolean): { fields: Record<string, unknown>; release: Record<string, unknown> };
  /** `$set` and `$push` additions an update carries so its events are stored in the same command. */
  updateFields(events: readonly DomainEvent[], scope: CallScope): { set: Record<string, unknown>; push: Record<string, unknown> };
  /** Unset by the write that voids an insert, so its events are never delivered. */
  readonly voidUnset: Readonly<Record<string, ''>>;
  /**
   * After the write committed or joined the caller's transaction (inside one, a failure fails the
   * commit). Only an outbox kept apart from the documents has this step: an embedded outbox's
   * events were written by the write itself.
   */
  save?(events: readonly DomainEvent[], scope: CallScope): Promise<void>;
  /** After a publish: acknowledges what the transport accepted, counts the failures of the rest. */
  settle(events: readonly DomainEvent[], home: EventHome | null, outcome: PublishOutcome): Promise<void>;
  /** What was stored but never acknowledged, oldest first. */
  pending(scope: OutboxScope, options: { limit: number; olderThanMs: number }): Promise<PendingEvents>;
  parked(scope: OutboxScope, limit: number): Promise<ParkedEvent[]>;
  requeue(scope: OutboxScope, eventId: string): Promise<boolean>;
  health(scope: OutboxScope): Promise<Record<string, OutboxHealth>>;
  /** Every unpublished event on the documents `filter` matches, rewritten (erasure): the fields to set on each, by `_id`. */
  rewrittenPending(
    collection: AnyCollection,
    scope: CallScope,
    filter: Record<string, unknown>,
    rewrite: (event: DomainEvent) => DomainEvent,
  ): Promise<{ _id: unknown; set: Record<string, unknown> }[]>;
  /** Writes buffered acknowledgements now. */
  flush(): Promise<void>;
}
