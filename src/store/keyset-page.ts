import { type mongo, Types } from 'mongoose';
import { findAll } from '../kernel/cursor.js';
import { ValidationError } from '../kernel/errors.js';
import type { CallScope } from './scope.js';

/** Keyset position of the last item on a page: its instant (the listing's sort field) and `_id`. */
export interface ListPosition {
  at: Date;
  id: Types.ObjectId;
}

/** Opaque to callers; base64url of `<ms>.<hex id>`. */
export const encodeCursor = (position: ListPosition): string =>
  Buffer.from(`${position.at.getTime()}.${position.id.toHexString()}`, 'utf8').toString('base64url');

/** A cursor back to its position; `listing` names the verb that returns such cursors, for the error. */
export const decodeCursor = (cursor: string, listing = 'listForReferrer'): ListPosition => {
  const match = /^(\d{1,15})\.([0-9a-f]{24})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new ValidationError([{ field: 'options.after', message: `Not a cursor returned by ${listing}` }]);
  return { at: new Date(Number(match[1])), id: new Types.ObjectId(match[2]) };
};

/**
 * Filter for "strictly after this position" in (createdAt desc, _id desc) order. The redundant
 * `createdAt: { $lte }` gives the planner a tight bound on the index, so page N reads about as
 * many keys as page 1.
 */
export const afterPosition = (position: ListPosition) => ({
  createdAt: { $lte: position.at },
  $or: [{ createdAt: { $lt: position.at } }, { createdAt: position.at, _id: { $lt: position.id } }],
});

export interface Page<T> {
  items: T[];
  /** Pass as `after` for the next page; null on the last page. */
  next: string | null;
}

/**
 * One page of the live records `match` finds in the scope's tenant, newest first, by keyset
 * pagination (no skip): one indexed read of `limit + 1` records. The caller names the query shape.
 */
export const keysetPage = async <T extends mongo.Document & { createdAt: Date; _id: Types.ObjectId }>(
  collection: mongo.Collection<T>,
  scope: CallScope,
  match: Record<string, unknown>,
  page: { limit: number; after?: string | undefined },
): Promise<Page<T>> => {
  const filter = scope.live({ ...match, ...(page.after ? afterPosition(decodeCursor(page.after)) : {}) });
  // query: * (named at the call site)
  const docs = (await findAll(collection, filter as mongo.Filter<T>, { ...scope.read, sort: { createdAt: -1, _id: -1 }, limit: page.limit + 1 })) as T[];
  const items = docs.slice(0, page.limit);
  const last = items.at(-1);
  return { items, next: docs.length > page.limit && last ? encodeCursor({ at: last.createdAt, id: last._id }) : null };
};
