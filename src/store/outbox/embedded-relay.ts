import { unreadableEvent } from '../../events/operational.js';
import type { ErrorReport } from '../../events/publisher.js';
import type { DomainEvent } from '../../events/types.js';
import { findAll } from '../../kernel/cursor.js';
import type { CallScope } from '../scope.js';
import type { StoredEvent } from './embedded-outbox.js';
import { RELAY_PROJECTION } from './fields.js';
import type { AnyCollection, OutboxScope, PendingBatch, PendingEvents } from './outbox.js';

/** The relay's side of the embedded outbox: reading what is pending, and rewriting it for erasure. */
export interface RelaySource {
  collections: readonly AnyCollection[];
  /** The event a stored entry stands for (rebuilt from its document when compact). */
  expand(stored: StoredEvent, document: Record<string, unknown>): DomainEvent;
  report: ErrorReport;
}

/** A document too damaged to rebuild its event from is reported and left pending. */
const expandOrReport = (source: RelaySource, stored: StoredEvent, document: Record<string, unknown>): DomainEvent | null => {
  try {
    return source.expand(stored, document);
  } catch (error) {
    source.report(error, unreadableEvent(stored));
    return null;
  }
};

/** Pending documents, oldest first, at most `limit` per collection, each with the events it holds. */
export const readPending = async (source: RelaySource, scope: OutboxScope, options: { limit: number; olderThanMs: number }): Promise<PendingEvents> => {
  const cutoff = new Date(scope.now.getTime() - options.olderThanMs);
  const batches: PendingBatch[] = [];
  let unreadable = 0;
  for (const collection of source.collections) {
    const filter = { ...scope.tenant, pendingEventsAt: { $lte: cutoff } };
    // query: outbox.pending
    const documents = await findAll(collection, filter, { projection: RELAY_PROJECTION, sort: { pendingEventsAt: 1 }, limit: options.limit });
    for (const document of documents) {
      const events = ((document.outbox ?? []) as StoredEvent[]).flatMap((stored) => {
        const event = expandOrReport(source, stored, document);
        if (!event) unreadable++;
        return event ? [event] : [];
      });
      const tenant = Object.fromEntries(Object.keys(scope.tenant).map((field) => [field, document[field]]));
      if (events.length > 0) batches.push({ events, home: { collection, documentId: document._id, tenant } });
    }
  }
  return { batches, unreadable };
};

/**
 * The events still pending, parked or held on every document `filter` matches, rewritten (erasure:
 * no unpublished payload may keep an erased ref), as the fields to set on each. Compact events are
 * rebuilt from their document first and stored in full. Acknowledgements match by event id, which is kept.
 */
export const rewrittenPending = async (
  source: RelaySource,
  collection: AnyCollection,
  scope: CallScope,
  filter: Record<string, unknown>,
  rewrite: (event: DomainEvent) => DomainEvent,
): Promise<{ _id: unknown; set: Record<string, unknown> }[]> => {
  // Undecided records hold events too (not yet relayable): they are rewritten before they can stand.
  const withEvents = { ...filter, $or: [{ pendingEventsAt: { $exists: true } }, { parkedEventsAt: { $exists: true } }, { unconfirmedAt: { $exists: true } }] };
  // query: * (the caller names the shape of filter)
  const documents = await findAll(collection, withEvents, { projection: { deliveryFailures: 0 }, ...scope.options });
  return documents.map((doc) => {
    const outbox = ((doc.outbox ?? []) as StoredEvent[]).map((stored) => rewrite(source.expand(stored, doc)));
    const parkedEvents = ((doc.parkedEvents ?? []) as { event: DomainEvent }[]).map((parked) => ({ ...parked, event: rewrite(parked.event) }));
    const set = { ...(doc.outbox ? { outbox } : {}), ...(doc.parkedEvents ? { parkedEvents } : {}) };
    return { _id: doc._id, set };
  });
};
