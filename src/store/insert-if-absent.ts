import { mongo, Types } from 'mongoose';
import { isPlainObject } from '../kernel/input.js';
import type { Doc, InsertOperation, InsertOutcome } from './operations.js';
import { withoutOutboxFields } from './outbox/fields.js';
import { STAMP_CHANGED } from './schema-parts.js';
import type { CallScope } from './scope.js';

const { BSON } = mongo;

/**
 * The update of an upsert that inserts `doc` (with its own `_id`, so the events stored in the same
 * write can name it) only when the filter matched nothing, and leaves an existing document
 * untouched: `$setOnInsert`, the leanest form (its values are literals, so a string such as
 * "$5 off" is stored as written). The filter's equalities seed the rest, as for any upsert.
 */
export const insertIfAbsent = (doc: Record<string, unknown>) => ({ $setOnInsert: doc });

/** A lone surrogate: BSON (UTF-8) cannot store it as it is. */
const loneSurrogate = /\p{Cs}/u;

/** A value BSON gives back as it was (a Date as an equal copy): no copy through BSON needed. */
const isPlainScalar = (value: unknown): boolean =>
  value === null ||
  typeof value === 'boolean' ||
  typeof value === 'number' ||
  (typeof value === 'string' && !loneSurrogate.test(value)) ||
  value instanceof Date ||
  value instanceof Types.ObjectId;

const copyScalar = (value: unknown): unknown => (value instanceof Date ? new Date(value.getTime()) : value);

/** A copy of an array or plain object of plain scalars (attribution, decisions: []), else undefined: BSON copies the rest. */
const flatCopy = (value: object): unknown => {
  if (Array.isArray(value)) return value.every(isPlainScalar) ? value.map(copyScalar) : undefined;
  if (!isPlainObject(value)) return undefined;
  const entries = Object.entries(value);
  return entries.every(([, member]) => isPlainScalar(member)) ? Object.fromEntries(entries.map(([key, member]) => [key, copyScalar(member)])) : undefined;
};

/** The fields an upsert's filter gives the document it inserts: its top-level equalities (`$eq` included). */
const seedOf = (filter: Record<string, unknown>): Record<string, unknown> => {
  const seed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(filter)) {
    if (key.startsWith('$') || key.includes('.')) continue;
    const operators = isPlainObject(value) ? Object.keys(value) : [];
    if (!operators.some((name) => name.startsWith('$'))) seed[key] = value;
    else if (operators.length === 1 && operators[0] === '$eq') seed[key] = (value as { $eq: unknown }).$eq;
  }
  return seed;
};

/**
 * The record `insertIfAbsent(doc)` inserted under `filter`, as a read would return it, so the
 * server need not send it back: the filter's equalities seed it as they seed the server's upsert,
 * `doc` completes it. The caller gets its own copies: values BSON gives back unchanged are copied
 * directly, the rest pass through BSON with the collection's options (`undefined`, a lone surrogate
 * and any other type come back as a read would give them).
 */
export const insertedRecord = (
  filter: Record<string, unknown>,
  doc: Record<string, unknown>,
  bsonOptions: mongo.BSONSerializeOptions,
): Record<string, unknown> => {
  const source = { _id: doc._id, ...seedOf(filter), ...doc };
  const { raw: _raw, fieldsAsRaw: _fieldsAsRaw, ...given } = bsonOptions as mongo.BSONSerializeOptions & { raw?: boolean; fieldsAsRaw?: unknown };
  // The driver's default, which bson's own serializer does not share.
  const options = { ...given, ignoreUndefined: given.ignoreUndefined ?? false };
  // Reads that keep BSON wrappers (Int32, Double) give nothing back as it was sent: all through BSON then.
  if (options.promoteValues === false) return BSON.deserialize(BSON.serialize(source, options), options);
  const record: Record<string, unknown> = {};
  const nested: Record<string, unknown> = {};
  let hasNested = false;
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) {
      if (!options.ignoreUndefined) record[key] = null;
      continue;
    }
    if (isPlainScalar(value)) {
      record[key] = copyScalar(value);
      continue;
    }
    const flat = typeof value === 'object' ? flatCopy(value as object) : undefined;
    // A value BSON must copy is placed now so the record keeps the doc's field order; its copy replaces it below.
    record[key] = flat ?? value;
    if (flat === undefined) {
      nested[key] = value;
      hasNested = true;
    }
  }
  if (!hasNested) return record;
  Object.assign(record, BSON.deserialize(BSON.serialize(nested, options), options));
  return record;
};

/** What inserting needs from the executor: the record with its events' fields, and which duplicates are twins. Publishing stays the executor's. */
export interface InsertContext {
  /** The record with its events: held (not relayed) when it is inserted unconfirmed. */
  doc: Doc;
  /** Fields the write that makes a held record stand adds, so its events become relayable. */
  release: Doc;
  /** What voiding an unconfirmed record unsets. */
  voidUnset: Doc;
  /** True for a duplicate on the live unique index `match` targets: a twin of this record stood first. */
  isTwin(error: unknown): boolean;
  /** The executor's one retry loop, run on the settling attempts (a refused decision is taken again). */
  retry<T>(attempt: () => Promise<T>): Promise<T>;
}

/** The executor voided this unconfirmed record as abandoned while its call was still deciding: the call records it again. */
export const ABANDONED = Symbol('abandoned');

/** The record was erased while being decided: it may still stand, but the events built for it name the erased ref. */
const ERASED = Symbol('erased');

/** The deciding write applies only to a record nobody erased meanwhile (erasure rewrites what it stores, not what this call holds). */
const notErased = (filter: mongo.Filter<mongo.Document>) => ({ ...filter, erasedAt: { $exists: false }, referrerErasedAt: { $exists: false } });

export type Outcome<T> = InsertOutcome<T> | typeof ABANDONED;

type Collection = mongo.Collection<mongo.Document>;

/** The records `filter` finds that are still undecided (stored, not yet standing or voided). */
export const undecided = (filter: Doc): mongo.Filter<mongo.Document> => ({ ...filter, unconfirmedAt: { $exists: true } }) as mongo.Filter<mongo.Document>;

/** The write that voids an undecided record: `fields` set, its marker and its held events (`voidUnset`, the outbox's) gone. */
export const voidingUpdate = (fields: Doc, voidUnset: Doc) => ({ $set: fields, $unset: { unconfirmedAt: '', ...voidUnset } });

const mineWhileUnconfirmed = (scope: CallScope, id: unknown) => undecided(scope.where({ _id: id }));

/** Voids an unconfirmed record while it is still unconfirmed; false when someone else settled it first. */
const voidUnconfirmed = async (context: InsertContext, scope: CallScope, collection: Collection, id: unknown, fields: Doc): Promise<boolean> => {
  // query: * (by _id within the tenant)
  const voided = await collection.updateOne(mineWhileUnconfirmed(scope, id), voidingUpdate(fields, context.voidUnset), scope.options);
  return voided.modifiedCount === 1;
};

/**
 * Someone else settled this record first: a deactivation voided it (the answer), or the relay
 * abandoned it while this call was still deciding. Then the call records the sale again under the
 * same `_id` (its events name it), so the abandoned record, which never stood and published
 * nothing, is removed first.
 */
const settledElsewhere = async <T>(scope: CallScope, collection: Collection, stored: T, id: unknown): Promise<Outcome<T> | typeof ERASED> => {
  const byId = scope.where({ _id: id }) as mongo.Filter<mongo.Document>;
  // query: * (by _id within the tenant)
  const now = await collection.findOne(byId, { projection: { voidedReason: 1, unconfirmedAt: 1, erasedAt: 1, referrerErasedAt: 1 }, ...scope.options });
  if (now?.unconfirmedAt && (now.erasedAt || now.referrerErasedAt)) return ERASED;
  if (now?.voidedReason === 'abandoned') {
    // query: * (by _id within the tenant)
    await collection.deleteOne({ ...byId, voidedReason: 'abandoned' }, scope.options);
    return ABANDONED;
  }
  return { doc: stored, inserted: true, voided: { voidedReason: now?.voidedReason ?? 'abandoned' } };
};

/** The twin of the record that stood first (the same `match`, live), or null. */
const findTwin = (scope: CallScope, collection: Collection, filter: Doc) =>
  // query: * (the caller names the shape of write.match)
  collection.findOne(filter as mongo.Filter<mongo.Document>, scope.read);

/** An outcome in which the record was erased and settled by someone else since: it is recorded again, as if abandoned. */
const settled = <T>(outcome: Outcome<T> | typeof ERASED): Outcome<T> => (outcome === ERASED ? ABANDONED : outcome);

/**
 * A twin of the record stood first: the twin is the answer, as for a replay, and this record,
 * which never stood and only repeats the twin, is removed while it is still unconfirmed.
 */
const answerWithTwin = async <T>(scope: CallScope, collection: Collection, id: unknown, twin: mongo.Document): Promise<Outcome<T>> => {
  // query: * (by _id within the tenant)
  await collection.deleteOne(mineWhileUnconfirmed(scope, id), scope.options);
  return { doc: twin as unknown as T, inserted: false, voided: null };
};

/**
 * One attempt at settling an unconfirmed record: its decision, then one conditional write that
 * makes it stand or voids it. The decision is taken after the insert, so whatever it read (a
 * code's deactivation, its cap) happened before a record that stands became visible. A unique
 * index that refuses the decision (a cap's slot taken meanwhile) throws, and the executor decides
 * again, telling `decide` what collided.
 */
export const settleAttempt = <T extends mongo.Document>(context: InsertContext, scope: CallScope, write: InsertOperation<T>, stored: T, filter: Doc) => {
  const collection = write.collection as unknown as Collection;
  const id = write.doc._id;
  let collided: Doc | null = null;
  return async (): Promise<Outcome<T>> => {
    const decision = await (write.decide as NonNullable<typeof write.decide>)(collided);
    if ('void' in decision) {
      // A refusal (no slot left, say) may only mean that a twin took the slot meant for this sale.
      const twin = await findTwin(scope, collection, filter);
      if (twin) return answerWithTwin(scope, collection, id, twin);
      const voided = await voidUnconfirmed(context, scope, collection, id, decision.void);
      return voided ? { doc: stored, inserted: true, voided: decision.void } : settled(await settledElsewhere(scope, collection, stored, id));
    }
    collided = decision.stand;
    const live = { $set: { deletedAt: null, ...decision.stand, ...context.release }, $unset: { unconfirmedAt: '' }, ...STAMP_CHANGED };
    try {
      // query: * (by _id within the tenant)
      const confirmed = await collection.updateOne(notErased(mineWhileUnconfirmed(scope, id)), live, scope.options);
      if (confirmed.modifiedCount === 0) {
        const elsewhere = await settledElsewhere(scope, collection, stored, id);
        if (elsewhere !== ERASED) return elsewhere;
        // query: * (by _id within the tenant)
        const standing = await collection.updateOne(mineWhileUnconfirmed(scope, id), live, scope.options);
        if (standing.modifiedCount === 0) return settled(await settledElsewhere(scope, collection, stored, id));
        return { doc: { ...stored, ...decision.stand }, inserted: true, voided: null, relayOnly: true };
      }
    } catch (error) {
      const twin = context.isTwin(error) ? await findTwin(scope, collection, filter) : null;
      if (twin) return answerWithTwin(scope, collection, id, twin);
      throw error;
    }
    return { doc: { ...stored, ...decision.stand }, inserted: true, voided: null };
  };
};

/**
 * Inserts the record unless `filter` matches one (a replay gets that record). Without a `decide`
 * step it is live at once; with one, it is inserted unconfirmed (`deletedAt` set, so no reader
 * sees it; `unconfirmedAt` marks it; its events held) and settled through the executor's retry loop.
 */
export const insertAttempt = async <T extends mongo.Document>(
  context: InsertContext,
  scope: CallScope,
  write: InsertOperation<T>,
  filter: Doc,
  record: Doc,
): Promise<Outcome<T>> => {
  const held = write.decide !== undefined;
  const doc = held ? { ...context.doc, deletedAt: scope.now, unconfirmedAt: scope.now } : context.doc;
  // query: * (the caller names the shape of write.match)
  const result = await write.collection.findOneAndUpdate(filter as mongo.Filter<T>, insertIfAbsent(doc) as mongo.UpdateFilter<T>, {
    upsert: true,
    // A replay gets the recorded document (the pipeline leaves it as it was); an insert, nothing back: its record is known here.
    returnDocument: 'before',
    includeResultMetadata: true,
    ...scope.options,
  });
  if (result.lastErrorObject?.upserted === undefined) return { doc: withoutOutboxFields(result.value) as unknown as T, inserted: false, voided: null };
  const stored = insertedRecord(filter, record, write.collection.bsonOptions) as unknown as T;
  if (held) return context.retry(settleAttempt(context, scope, write, stored, filter));
  return { doc: stored, inserted: true, voided: null };
};
