import { Types } from 'mongoose';
import { ValidationError } from '../kernel/errors.js';

/** Keyset position of the last item on a page: (createdAt, _id), newest first. */
export interface ListPosition {
  createdAt: Date;
  id: Types.ObjectId;
}

/** Opaque to callers; base64url of `<ms>.<hex id>`. */
export const encodeCursor = (position: ListPosition): string =>
  Buffer.from(`${position.createdAt.getTime()}.${position.id.toHexString()}`, 'utf8').toString('base64url');

export const decodeCursor = (cursor: string): ListPosition => {
  const match = /^(\d{1,15})\.([0-9a-f]{24})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new ValidationError([{ field: 'options.after', message: 'Not a cursor returned by listForReferrer' }]);
  return { createdAt: new Date(Number(match[1])), id: new Types.ObjectId(match[2]) };
};

/**
 * Filter for "strictly after this position" in (createdAt desc, _id desc) order. The redundant
 * `createdAt: { $lte }` gives the planner a tight bound on the index, so page N reads about as
 * many keys as page 1.
 */
export const afterPosition = (position: ListPosition) => ({
  createdAt: { $lte: position.createdAt },
  $or: [{ createdAt: { $lt: position.createdAt } }, { createdAt: position.createdAt, _id: { $lt: position.id } }],
});
