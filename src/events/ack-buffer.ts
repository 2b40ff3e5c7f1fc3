import type { mongo } from 'mongoose';
import { failureField } from './parking.js';

type AnyCollection = mongo.Collection<mongo.Document>;

/**
 * One update statement per document: drops the acknowledged events and their failure counts,
 * and clears `pendingEventsAt` (so the document leaves the relay's partial index) once nothing
 * is left. A pipeline update, so the "once nothing is left" is decided by the server.
 */
export const acknowledgement = (ids: readonly string[]): mongo.Document[] => [
  { $set: { outbox: { $filter: { input: { $ifNull: ['$outbox', []] }, cond: { $not: [{ $in: ['$$this.meta.id', [...ids]] }] } } } } },
  { $set: { pendingEventsAt: { $cond: [{ $eq: [{ $size: '$outbox' }, 0] }, '$$REMOVE', '$pendingEventsAt'] } } },
  { $unset: ids.map(failureField) },
];

/**
 * Acknowledgements of embedded events are batched: one bulk write per collection per flush,
 * one statement per acknowledged document. A lost ack
 * only means a later redelivery, which consumers drop by `meta.idempotencyKey`.
 */
export class AckBuffer {
  readonly #delayMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #pending = new Map<AnyCollection, Map<unknown, string[]>>();
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> = Promise.resolve();

  constructor(delayMs: number, onError: (error: unknown) => void) {
    this.#delayMs = delayMs;
    this.#onError = onError;
  }

  add(collection: AnyCollection, documentId: unknown, eventId: string): void {
    let byDocument = this.#pending.get(collection);
    if (!byDocument) this.#pending.set(collection, (byDocument = new Map()));
    const ids = byDocument.get(documentId);
    if (ids) ids.push(eventId);
    else byDocument.set(documentId, [eventId]);
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => void this.flush(), this.#delayMs);
      this.#timer.unref();
    }
  }

  /** Writes every buffered ack; resolves when they (and any flush under way) are done. */
  async flush(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const batches = [...this.#pending.entries()];
    this.#pending.clear();
    const previous = this.#inFlight;
    const current = (async () => {
      await previous;
      await Promise.all(batches.map(([collection, byDocument]) => this.#write(collection, byDocument)));
    })();
    this.#inFlight = current;
    await current;
  }

  async #write(collection: AnyCollection, byDocument: Map<unknown, string[]>): Promise<void> {
    const operations = [...byDocument.entries()].map(([_id, ids]) => ({ updateOne: { filter: { _id }, update: acknowledgement(ids) } }));
    try {
      // query: outbox.ack
      await collection.bulkWrite(operations as mongo.AnyBulkWriteOperation[], { ordered: true });
    } catch (error) {
      this.#onError(error);
    }
  }
}
