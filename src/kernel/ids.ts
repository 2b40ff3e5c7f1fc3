import { Types } from 'mongoose';
import { ValidationError } from './errors.js';

/** A reference to a host document (user, order, ...): an ObjectId, or an opaque string id. */
export type Ref = Types.ObjectId | string;

/** 24 hexadecimal characters: the string form of an ObjectId. */
export const OBJECT_ID_HEX = /^[0-9a-fA-F]{24}$/;

export const isObjectIdLike = (value: unknown): value is Types.ObjectId | string =>
  value instanceof Types.ObjectId || (typeof value === 'string' && OBJECT_ID_HEX.test(value));

/** Strict ObjectId parsing: 24 hex characters or an ObjectId instance, else a 422 naming `field`. */
export const toObjectId = (value: unknown, field: string): Types.ObjectId => {
  if (value instanceof Types.ObjectId) return value;
  if (typeof value === 'string' && OBJECT_ID_HEX.test(value)) return new Types.ObjectId(value);
  throw new ValidationError([{ field, message: 'Expected a 24-character hex ObjectId' }]);
};

/**
 * Host refs are stored deterministically: anything that looks like an ObjectId becomes one, any
 * other string stays a string. The same input therefore always matches the same stored value.
 */
export const normalizeRef = (value: Ref): Ref => (value instanceof Types.ObjectId ? value : isObjectIdLike(value) ? new Types.ObjectId(value) : value);

export const refEquals = (a: Ref, b: Ref): boolean => String(a) === String(b);

/** One spelling per id: a 24-hex ObjectId string in lower case (as ObjectIds print), anything else as given. */
export const canonicalId = (id: string): string => (OBJECT_ID_HEX.test(id) ? id.toLowerCase() : id);
