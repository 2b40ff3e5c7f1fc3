import { z } from 'zod';
import { ValidationError } from './errors.js';

const joinPath = (root: string, path: readonly PropertyKey[]): string => [root, ...path.map(String)].filter((part) => part !== '').join('.');

/** Parses with zod and turns failures into a 422 ValidationError naming each offending field. */
export const parseInput = <S extends z.ZodType>(schema: S, value: unknown, root = ''): z.output<S> => {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(result.error.issues.map((issue) => ({ field: joinPath(root, issue.path) || root || '(input)', message: issue.message })));
};

/** C0 control characters and DEL: refused in anything stored and echoed back (ids, reasons, ctx fields). */
const hasControlCharacters = (value: string): boolean => {
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit < 0x20 || unit === 0x7f) return true;
  }
  return false;
};

/** The one refinement for it: `schema.refine(...noControlCharacters)`. */
export const noControlCharacters = [(value: string): boolean => !hasControlCharacters(value), 'Must not contain control characters'] as const;

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

/** An object literal's kind: Object's prototype, or none. */
export const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};
