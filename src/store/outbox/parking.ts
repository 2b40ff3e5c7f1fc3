import type { mongo } from 'mongoose';
import type { DomainEvent } from '../../events/types.js';
import { findAll } from '../../kernel/cursor.js';
import type { AnyCollection, EventHome, OutboxScope } from './outbox.js';

/** A poison event, moved out of the outbox after too many failed deliveries. */
export interface ParkedEvent {
  event: DomainEvent;
  attempts: number;
  parkedAt: Date;
  /** The last delivery error's message (at most 500 characters). */
  lastError: string;
}

const MAX_ERROR_LENGTH = 500;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR_LENGTH);

/** Failed deliveries per event are counted on the document, by event id, until acknowledged. */
export const failureField = (eventId: string): string => `deliveryFailures.${eventId}`;

type Filter = mongo.Filter<mongo.Document>;

/**
 * Counts one failed delivery of an embedded event; on the `maxAttempts`-th the event leaves the
 * outbox for `parkedEvents` (the relay stops sending it). Returns the attempts so far, and
 * whether this failure parked it.
 */
export const recordFailure = async (
  home: EventHome,
  event: DomainEvent,
  error: unknown,
  maxAttempts: number,
): Promise<{ attempts: number; parked: boolean }> => {
  const field = failureField(event.meta.id);
  const holding = { ...home.tenant, _id: home.documentId, 'outbox.meta.id': event.meta.id } as Filter;
  // query: outbox.ack
  const counted = await home.collection.findOneAndUpdate(holding, { $inc: { [field]: 1 } }, { returnDocument: 'after', projection: { [field]: 1 } });
  const attempts = (counted?.deliveryFailures as Record<string, number> | undefined)?.[event.meta.id] ?? 0;
  if (!counted || attempts < maxAttempts) return { attempts, parked: false };
  const parked: ParkedEvent = { event, attempts, parkedAt: new Date(), lastError: messageOf(error) };
  const park = {
    $pull: { outbox: { 'meta.id': event.meta.id } },
    $push: { parkedEvents: parked },
    $set: { parkedEventsAt: parked.parkedAt },
    $unset: { [field]: '' },
  };
  // query: outbox.ack
  await home.collection.updateOne(holding, park as unknown as mongo.UpdateFilter<mongo.Document>);
  // query: outbox.ack
  await home.collection.updateOne({ ...home.tenant, _id: home.documentId, outbox: { $size: 0 } } as Filter, { $unset: { pendingEventsAt: '' } });
  return { attempts, parked: true };
};

/** Parked events, oldest first, within the scope's tenant (every tenant for the system relay). */
export const listParked = async (collections: readonly AnyCollection[], scope: OutboxScope, limit: number): Promise<ParkedEvent[]> => {
  const found: ParkedEvent[] = [];
  for (const collection of collections) {
    // query: outbox.parked
    const documents = await findAll(
      collection,
      { ...scope.tenant, parkedEventsAt: { $exists: true } },
      { projection: { parkedEvents: 1 }, sort: { parkedEventsAt: 1 }, limit },
    );
    for (const document of documents) found.push(...((document.parkedEvents ?? []) as ParkedEvent[]));
  }
  return found.slice(0, limit);
};

/** Moves a parked event back into its document's outbox with a fresh attempt count. */
export const requeueParked = async (collections: readonly AnyCollection[], scope: OutboxScope, eventId: string): Promise<boolean> => {
  for (const collection of collections) {
    // query: outbox.parked
    const document = await collection.findOne(
      { ...scope.tenant, parkedEventsAt: { $exists: true }, 'parkedEvents.event.meta.id': eventId },
      { projection: { parkedEvents: 1 } },
    );
    const entry = ((document?.parkedEvents ?? []) as ParkedEvent[]).find((p) => p.event.meta.id === eventId);
    if (!document || !entry) continue;
    const requeue = { $pull: { parkedEvents: { 'event.meta.id': eventId } }, $push: { outbox: entry.event }, $set: { pendingEventsAt: scope.now } };
    // query: outbox.ack
    const moved = await collection.updateOne(
      { ...scope.tenant, _id: document._id, 'parkedEvents.event.meta.id': eventId },
      requeue as unknown as mongo.UpdateFilter<mongo.Document>,
    );
    // query: outbox.ack
    await collection.updateOne({ ...scope.tenant, _id: document._id, parkedEvents: { $size: 0 } }, { $unset: { parkedEventsAt: '', parkedEvents: '' } });
    return moved.modifiedCount === 1;
  }
  return false;
};
