import { DuplicateError } from './errors.js';

export interface DuplicateKey {
  /** Field names of the violated unique index (its keyPattern), never the values. */
  fields: string[];
}

const MONGO_DUPLICATE_KEY = 11000;

/** Recognizes E11000 from a command or a bulk write and returns the index's field names. */
export const asDuplicateKey = (error: unknown): DuplicateKey | null => {
  if (typeof error !== 'object' || error === null) return null;
  const candidate = error as { code?: unknown; keyPattern?: unknown; writeErrors?: unknown; errorResponse?: { keyPattern?: unknown } };
  if (candidate.code !== MONGO_DUPLICATE_KEY) {
    const first = Array.isArray(candidate.writeErrors) ? (candidate.writeErrors[0] as unknown) : undefined;
    return first && first !== error ? asDuplicateKey((first as { err?: unknown }).err ?? first) : null;
  }
  const keyPattern = candidate.keyPattern ?? candidate.errorResponse?.keyPattern;
  return { fields: keyPattern && typeof keyPattern === 'object' ? Object.keys(keyPattern) : [] };
};

/** True when the duplicate is on an index whose keys include every one of `fields`. */
export const isDuplicateOn = (duplicate: DuplicateKey | null, fields: readonly string[]): boolean =>
  duplicate !== null && fields.every((field) => duplicate.fields.includes(field));

/** Any E11000 the caller did not resolve becomes a 409 naming the fields; other errors pass through. */
export const translateDuplicate = (error: unknown): unknown => {
  const duplicate = asDuplicateKey(error);
  return duplicate ? new DuplicateError(duplicate.fields, error) : error;
};
