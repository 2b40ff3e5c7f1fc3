import type { z } from 'zod';
import { ValidationError } from './errors.js';

const joinPath = (root: string, path: readonly PropertyKey[]): string => [root, ...path.map(String)].filter((part) => part !== '').join('.');

/** Parses with zod and turns failures into a 422 ValidationError naming each offending field. */
export const parseInput = <S extends z.ZodType>(schema: S, value: unknown, root = ''): z.output<S> => {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(result.error.issues.map((issue) => ({ field: joinPath(root, issue.path) || root || '(input)', message: issue.message })));
};
