import { type mongo, Types } from 'mongoose';
import { PENDING_UNSET } from './fields.js';
import type { AnyCollection, EventHome } from './outbox.js';
import { failureField } from './parking.js';

/** The fields of `where` other than `_id`: the document's tenant (empty in single-tenant mode). */
const tenantOf = ({ _id: _ignored, ...tenant }: Record<string, unknown>): Record<string, unknown> => tenant;

/**
 * The usual acknowledgement, for a whole batch in one statement: every document whose outbox holds
 * a single event, that event acknowledged, loses its outbox, its failure counts and
 * `pendingEventsAt`. Event ids are unique, so one `$in` over the batch's ids finds exactly those
 * documents; `_id` bounds the scan and each document is matched within its own tenant. A plain
 * update (no pipeline), so it is cheap for the server; it matches nothing else.
 */
const wholeOutboxAcknowledgement = (pending: readonly PendingAck[]) => {
  const byTenant = new Map<string, { tenant: Record<string, unknown>; ids: unknown[] }>();
  for (const { where } of pending) {
    const tenant = tenantOf(where);
    const key = JSON.stringify(Object.entries(tenant).map(([field, value]) => [field, String(value)]));
    const group = byTenant.get(key) ?? { tenant, ids: [] };
    group.ids.push(where._id);
    byTenant.set(key, group);
  }
  const groups = [...byTenant.values()];
  const scope = groups.length === 1 ? (groups[0]?.tenant ?? {}) : { $or: groups.map(({ tenant, ids }) => ({ ...tenant, _id: { $in: ids } })) };
  const ids = pending.map(({ where }) => where._id);
  const eventIds = pending.flatMap((ack) => ack.eventIds);
  const filter = { ...scope, _id: { $in: ids }, outbox: { $size: 1 }, 'outbox.meta.id': { $in: eventIds } } as mongo.Filter<mongo.Document>;
  return { filter, update: { $unset: PENDING_UNSET } };
};

/**
 * Any other document (more events, or one pushed since): drops the acknowledged events and
 * their failure counts, and clears `pendingEventsAt` once nothing is left. A pipeline update,
 * so the "once nothing is left" is decided by the server.
 */
const acknowledgement = (ids: readonly string[]): mongo.Document[] => [
  { $set: { outbox: { $filter: { input: { $ifNull: ['$outbox', []] }, cond: { $not: [{ $in: ['$$this.meta.id', [...ids]] }] } } } } },
  { $set: { pendingEventsAt: { $cond: [{ $eq: [{ $size: '$outbox' }, 0] }, '$$REMOVE', '$pendingEventsAt'] } } },
  { $unset: ids.map(failureField) },
];

interface PendingAck {
  /** `_id` plus the document's tenant, as every acknowledgement statement matches it. */
  where: Record<string, unknown>;
  eventIds: string[];
  /** Writes of it that failed so far. */
  failures: number;
}

/** Documents per acknowledgement statement: an `$in` a planner still reads as index points (the test server's bound is 200). */
const MAX_IDS_PER_STATEMENT = 200;

/** A batch that failed (a cut connection, a failover) is written again this often before its events are left to the relay. */
const MAX_ACK_FAILURES = 3;

const documentKey = (id: unknown): string => (id instanceof Types.ObjectId ? `o${id.toHexString()}` : `${typeof id}:${String(id)}`);

/**
 * Acknowledgements of embedded events are batched: per collection per batch, one plain
 * `updateMany` statement, which empties every outbox that held only acknowledged events; only
 * when some document was not covered, a bulk write with the pipeline, one statement per document.
 * A lost ack only means a later redelivery, which consumers drop by `meta.idempotencyKey`.
 */
export class AckBuffer {
  readonly #delayMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #pending = new Map<AnyCollection, Map<string, PendingAck>>();
  #timer: NodeJS.Timeout | undefined;
  /** The one write under way; acks added meanwhile wait in `#pending` (one map, not a queue of writes). */
  #running: Promise<void> | undefined;
  #added = 0;
  #written = 0;

  constructor(delayMs: number, onError: (error: unknown) => void) {
    this.#delayMs = delayMs;
    this.#onError = onError;
  }

  add(home: EventHome, eventId: string): void {
    let byDocument = this.#pending.get(home.collection);
    if (!byDocument) {
      byDocument = new Map();
      this.#pending.set(home.collection, byDocument);
    }
    // Keyed by value: the same document reaches here as different ObjectId instances.
    const key = documentKey(home.documentId);
    const pending = byDocument.get(key);
    if (!pending) byDocument.set(key, { where: { ...home.tenant, _id: home.documentId }, eventIds: [eventId], failures: 0 });
    else if (!pending.eventIds.includes(eventId)) pending.eventIds.push(eventId); // a relay and the call may both ack it
    this.#added++;
    this.#schedule();
  }

  /** Resolves once every ack added before the call is written. */
  async flush(): Promise<void> {
    const target = this.#added;
    while (this.#written < target) {
      this.#start();
      if (!this.#running) return; // nothing left to write (unreachable while the counts agree)
      await this.#running;
    }
  }

  /** A write at most every `delayMs`, and never two at once: under load the batches grow instead. */
  #schedule(): void {
    if (this.#timer !== undefined || this.#running || this.#pending.size === 0) return;
    this.#timer = setTimeout(() => this.#start(), this.#delayMs);
    this.#timer.unref();
  }

  #start(): void {
    if (this.#running || this.#pending.size === 0) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batches = [...this.#pending.entries()];
    this.#pending.clear();
    const upTo = this.#added;
    this.#running = Promise.all(batches.map(([collection, byDocument]) => this.#write(collection, byDocument))).then(() => {
      this.#written = upTo;
      this.#running = undefined;
      this.#schedule();
    });
  }

  async #write(collection: AnyCollection, byDocument: Map<string, PendingAck>): Promise<void> {
    const pending = [...byDocument.values()];
    try {
      let matchedCount = 0;
      for (let start = 0; start < pending.length; start += MAX_IDS_PER_STATEMENT) {
        const whole = wholeOutboxAcknowledgement(pending.slice(start, start + MAX_IDS_PER_STATEMENT));
        // query: outbox.ack
        matchedCount += (await collection.updateMany(whole.filter, whole.update)).matchedCount;
      }
      if (matchedCount === pending.length) return;
      // Only documents that still hold an acknowledged event match; the ones done above do not.
      const rest = pending.map(({ where, eventIds }) => ({
        updateOne: { filter: { ...where, 'outbox.meta.id': { $in: eventIds } }, update: acknowledgement(eventIds) },
      }));
      // query: outbox.ack
      await collection.bulkWrite(rest as mongo.AnyBulkWriteOperation[], { ordered: false });
    } catch (error) {
      this.#onError(error);
      this.#retry(collection, byDocument);
    }
  }

  /** Puts a failed batch back for the next write, merged with what was added meanwhile; a document failed too often is left to the relay. */
  #retry(collection: AnyCollection, failed: Map<string, PendingAck>): void {
    let byDocument = this.#pending.get(collection);
    for (const [key, ack] of failed) {
      if (ack.failures + 1 >= MAX_ACK_FAILURES) continue;
      if (!byDocument) {
        byDocument = new Map();
        this.#pending.set(collection, byDocument);
      }
      const newer = byDocument.get(key);
      byDocument.set(key, { ...ack, failures: ack.failures + 1, eventIds: [...new Set([...ack.eventIds, ...(newer?.eventIds ?? [])])] });
    }
  }
}
