import type { mongo } from 'mongoose';
import type { StoredEvent } from '../events/compact.js';
import { outboxOnInsert, outboxOnUpdate } from '../events/outbox.js';
import type { EventPublisher, WriteSession } from '../events/publisher.js';
import type { DomainEvent } from '../events/types.js';
import { findAll } from '../kernel/cursor.js';
import { asDuplicateKey, isDuplicateOn } from '../kernel/duplicate-key.js';
import { insertedRecord, insertIfAbsent } from './insert-if-absent.js';
import { type CallScope, withoutOutboxFields } from './scope.js';

/**
 * The one seam for writes that emit: the events ride in the same command as the state change
 * (embedded outbox) and are published after it. Nothing else writes the outbox fields or calls
 * `afterWrite`. Each function's MongoDB call serves the query shape named at its call site.
 */
export interface EventedCollection<T extends mongo.Document> {
  collection: mongo.Collection<T>;
  publisher: EventPublisher;
}

type Filter = Record<string, unknown>;

export interface InsertIfAbsentWrite {
  /** Matches the existing record (tenant included); a unique index on it decides races. */
  filter: Filter;
  /** The record to insert, with its client-chosen `_id` (its events name it). */
  doc: Record<string, unknown> & { _id: unknown };
  events: readonly DomainEvent[];
  /**
   * Runs after a new insert, before its events are published. Returning fields voids the
   * insert: they are `$set`, its events are dropped and nothing is published.
   */
  confirm?: () => Promise<Filter | null>;
  /**
   * Fields of the unique index the filter targets. When the filter adds a condition (such as
   * `deletedAt: null`) mongod does not retry a lost insert race itself: it answers E11000 on that
   * index, and the upsert is sent again, to match the winner's document.
   */
  raceKey?: readonly string[];
}

export interface InsertOutcome<T> {
  doc: T;
  inserted: boolean;
  voided: boolean;
}

const writeSession = (scope: CallScope): WriteSession => ({ session: scope.ctx.session ?? null, inTransaction: scope.inTransaction });

/** Lost insert races retried; each retry matches the document that won. */
const INSERT_RACE_RETRIES = 2;

/** Inserts `doc` with its events unless `filter` already matches; a replay returns the existing record. */
export const insertIfAbsentWithEvents = async <T extends mongo.Document>(
  target: EventedCollection<T>,
  scope: CallScope,
  write: InsertIfAbsentWrite,
): Promise<InsertOutcome<T>> => {
  for (let attempt = 0; ; attempt++) {
    try {
      return await insertOnce(target, scope, write);
    } catch (error) {
      if (write.raceKey && attempt < INSERT_RACE_RETRIES && isDuplicateOn(asDuplicateKey(error), write.raceKey)) continue;
      throw error;
    }
  }
};

const insertOnce = async <T extends mongo.Document>(target: EventedCollection<T>, scope: CallScope, write: InsertIfAbsentWrite): Promise<InsertOutcome<T>> => {
  const { collection, publisher } = target;
  const doc = {
    ...write.doc,
    ...(publisher.embedsEvents
      ? outboxOnInsert(
          write.events.map((event) => publisher.stored(event, scope.tenant)),
          scope.now,
        )
      : {}),
  };
  // query: * (the caller names the shape of write.filter)
  const result = await collection.findOneAndUpdate(write.filter as mongo.Filter<T>, insertIfAbsent(doc), {
    upsert: true,
    // A replay gets the recorded document (the pipeline leaves it as it was); an insert, nothing back: its record is known here.
    returnDocument: 'before',
    includeResultMetadata: true,
    ...scope.options,
  });
  if (result.lastErrorObject?.upserted === undefined) return { doc: withoutOutboxFields(result.value) as unknown as T, inserted: false, voided: false };
  const stored = insertedRecord(write.filter, write.doc, collection.bsonOptions) as unknown as T;
  const voidFields = write.confirm ? await write.confirm() : null;
  if (voidFields) {
    // query: * (by _id within the tenant)
    await collection.updateOne(
      scope.where({ _id: write.doc._id }) as mongo.Filter<T>,
      { $set: voidFields, $unset: { outbox: '', pendingEventsAt: '' } } as unknown as mongo.UpdateFilter<T>,
      scope.options,
    );
    return { doc: stored, inserted: true, voided: true };
  }
  await publisher.afterWrite(write.events, { collection: collection as unknown as mongo.Collection, documentId: write.doc._id }, writeSession(scope));
  return { doc: stored, inserted: true, voided: false };
};

export interface EventedUpdate {
  /** Conditional filter (tenant included): the change applies only while it matches. */
  filter: Filter;
  set: Filter;
  push?: Filter;
  inc?: Record<string, number>;
  events: readonly DomainEvent[];
}

/** Applies a conditional update with its events; null when the filter no longer matched (nothing emitted). */
export const updateWithEvents = async <T extends mongo.Document>(target: EventedCollection<T>, scope: CallScope, update: EventedUpdate): Promise<T | null> => {
  const { collection, publisher } = target;
  const outbox = outboxOnUpdate(publisher.embedsEvents ? update.events.map((event) => publisher.stored(event, scope.tenant)) : [], scope.now);
  const push = { ...update.push, ...outbox.push };
  const change = {
    $set: { ...update.set, ...outbox.set },
    ...(update.inc ? { $inc: update.inc } : {}),
    ...(Object.keys(push).length > 0 ? { $push: push } : {}),
  };
  // query: * (the caller names the shape of update.filter)
  const after = await collection.findOneAndUpdate(update.filter as mongo.Filter<T>, change as mongo.UpdateFilter<T>, {
    returnDocument: 'after',
    ...scope.read,
  });
  if (!after) return null;
  await publisher.afterWrite(update.events, { collection: collection as unknown as mongo.Collection, documentId: after._id }, writeSession(scope));
  return after as unknown as T;
};

/**
 * Rewrites the events still pending or parked on every document `filter` matches (erasure: no
 * unpublished payload may keep an erased ref). Compact events are rebuilt from their document
 * first and stored in full. Acknowledgements match by event id, which is kept.
 */
export const rewritePendingEvents = async <T extends mongo.Document>(
  target: EventedCollection<T>,
  scope: CallScope,
  filter: Filter,
  rewrite: (event: DomainEvent) => DomainEvent,
): Promise<void> => {
  const collection = target.collection as unknown as mongo.Collection;
  const withEvents = { ...filter, $or: [{ pendingEventsAt: { $exists: true } }, { parkedEventsAt: { $exists: true } }] };
  // query: * (the caller names the shape of filter)
  const documents = await findAll(collection, withEvents, { projection: { deliveryFailures: 0 }, ...scope.options });
  if (documents.length === 0) return;
  const operations = documents.map((doc) => {
    const outbox = ((doc.outbox ?? []) as StoredEvent[]).map((stored) => rewrite(target.publisher.expand(stored, doc)));
    const parkedEvents = ((doc.parkedEvents ?? []) as { event: DomainEvent }[]).map((parked) => ({ ...parked, event: rewrite(parked.event) }));
    return { updateOne: { filter: { _id: doc._id }, update: { $set: { ...(doc.outbox ? { outbox } : {}), ...(doc.parkedEvents ? { parkedEvents } : {}) } } } };
  });
  // query: outbox.ack
  await collection.bulkWrite(operations, scope.options);
};
