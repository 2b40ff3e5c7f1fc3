import type { mongo } from 'mongoose';
import { failureField } from './parking.js';

type AnyCollection = mongo.Collection<mongo.Document>;

/**
 * Acknowledgements of embedded events are batched: one bulk write per collection per flush
 * removes the published events and clears `pendingEventsAt` on emptied documents. A lost ack
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
    const operations = [...byDocument.entries()].flatMap(([_id, ids]) => [
      { updateOne: { filter: { _id }, update: { $pull: { outbox: { 'meta.id': { $in: ids } } }, $unset: Object.fromEntries(ids.map((id) => [failureField(id), ''])) } } },
      { updateOne: { filter: { _id, outbox: { $size: 0 } }, update: { $unset: { pendingEventsAt: '' } } } },
    ]);
    try {
      // query: outbox.ack
      await collection.bulkWrite(operations as mongo.AnyBulkWriteOperation[], { ordered: true });
    } catch (error) {
      this.#onError(error);
    }
  }
}
