import { Types } from 'mongoose';
import { z } from 'zod';
import { noControlCharacters } from './input.js';

/** A reference to a host document (user, order, ...): an ObjectId, or an opaque string id. */
export type Ref = Types.ObjectId | string;

/** 24 hexadecimal characters: the string form of an ObjectId. */
export const OBJECT_ID_HEX = /^[0-9a-fA-F]{24}$/;

const isObjectIdLike = (value: unknown): value is Types.ObjectId | string =>
  value instanceof Types.ObjectId || (typeof value === 'string' && OBJECT_ID_HEX.test(value));

/**
 * Host refs are stored deterministically: anything that looks like an ObjectId becomes one, any
 * other string stays a string. The same input therefore always matches the same stored value.
 */
const normalizeRef = (value: Ref): Ref => (value instanceof Types.ObjectId ? value : isObjectIdLike(value) ? new Types.ObjectId(value) : value);

export const refEquals = (a: Ref, b: Ref): boolean => String(a) === String(b);

/** One spelling per id: a 24-hex ObjectId string in lower case (as ObjectIds print), anything else as given. */
export const canonicalId = (id: string): string => (OBJECT_ID_HEX.test(id) ? id.toLowerCase() : id);

/** An id of a host document: an ObjectId, or a non-empty string id without control characters. */
export const refSchema = z
  .union(
    [
      z.instanceof(Types.ObjectId),
      z
        .string()
        .trim()
        .min(1, 'Must not be empty')
        .max(128, 'Must be at most 128 characters')
        .refine(...noControlCharacters),
    ],
    { error: 'Expected an ObjectId or a non-empty string id' },
  )
  .transform((value): Ref => normalizeRef(value));

/** The id of a referral record: always an ObjectId. */
export const objectIdSchema = z
  .union([z.instanceof(Types.ObjectId), z.string().regex(OBJECT_ID_HEX, 'Expected a 24-character hex ObjectId')])
  .transform((value) => (value instanceof Types.ObjectId ? value : new Types.ObjectId(value)));
