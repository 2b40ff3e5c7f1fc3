import { mongo, Types } from 'mongoose';
import { isPlainObject } from '../kernel/input.js';

const { BSON } = mongo;

/**
 * Update pipeline for an upsert that inserts `doc` (with its own `_id`, so the events stored
 * in the same write can name it) only when the filter matched nothing, and leaves an existing
 * document untouched. Every stored document has a `createdAt` (a Date, so truthy); only the
 * upsert seed lacks it.
 * `$literal` keeps string values such as "$5 off" from being read as field paths.
 */
export const insertIfAbsent = (doc: Record<string, unknown>) => [
  {
    $replaceWith: {
      $cond: ['$createdAt', '$$ROOT', { $mergeObjects: ['$$ROOT', { $literal: doc }] }],
    },
  },
];

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
