import { Types } from 'mongoose';
import { z } from 'zod';
import { normalizeRef, OBJECT_ID_HEX, type Ref } from './ids.js';
import { noControlCharacters } from './text.js';

/** An id of a host document: an ObjectId, or a non-empty string id without control characters. */
export const refSchema = z
  .union([
    z.instanceof(Types.ObjectId),
    z
      .string()
      .trim()
      .min(1, 'Must not be empty')
      .max(128, 'Must be at most 128 characters')
      .refine(...noControlCharacters),
  ])
  .transform((value): Ref => normalizeRef(value));

/** A host model name such as `user` or `Order`. */
export const modelNameSchema = z
  .string()
  .trim()
  .min(1, 'Must not be empty')
  .max(64, 'Must be at most 64 characters')
  .regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, 'Must start with a letter and contain only letters, digits, "_", "-" or "."');

/** A free-text note or reason shown to reviewers. */
export const textSchema = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'Must not be empty')
    .max(max, `Must be at most ${max} characters`)
    .refine((value) => !value.includes('\u0000'), 'Must not contain NUL bytes');

/** The id of a referral record: always an ObjectId. */
export const objectIdSchema = z
  .union([z.instanceof(Types.ObjectId), z.string().regex(OBJECT_ID_HEX, 'Expected a 24-character hex ObjectId')])
  .transform((value) => (value instanceof Types.ObjectId ? value : new Types.ObjectId(value)));
