import { Types } from 'mongoose';
import { z } from 'zod';
import { isPlainObject } from './input.js';

export const MAX_METADATA_BYTES = 16 * 1024;
const MAX_DEPTH = 8;
const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype']);

interface MetadataIssue {
  path: (string | number)[];
  message: string;
}

/**
 * Walks host metadata before it reaches MongoDB: keys that are operators (`$x`), dotted paths,
 * prototype keys or NUL bytes, and values that are not plain data are refused with their path.
 */
export const inspectMetadata = (value: unknown, path: (string | number)[] = [], depth = 0): MetadataIssue[] => {
  if (depth > MAX_DEPTH) return [{ path, message: `Nested deeper than ${MAX_DEPTH} levels` }];
  if (value === null || typeof value === 'boolean' || value instanceof Date || value instanceof Types.ObjectId) return [];
  if (typeof value === 'string') return value.includes('\u0000') ? [{ path, message: 'Must not contain NUL bytes' }] : [];
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [{ path, message: 'Numbers must be finite' }];
  if (Array.isArray(value)) return value.flatMap((item, index) => inspectMetadata(item, [...path, index], depth + 1));
  if (!isPlainObject(value)) return [{ path, message: 'Must be plain data (objects, arrays, strings, numbers, booleans, dates, null)' }];
  const issues: MetadataIssue[] = [];
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key !== 'string') {
      issues.push({ path, message: 'Symbol keys are not allowed' });
      continue;
    }
    const keyPath = [...path, key];
    if (forbiddenKeys.has(key)) issues.push({ path: keyPath, message: `Key "${key}" is not allowed` });
    else if (key.startsWith('$')) issues.push({ path: keyPath, message: 'Keys must not start with "$"' });
    else if (key.includes('.')) issues.push({ path: keyPath, message: 'Keys must not contain "."' });
    else if (key.includes('\u0000') || key === '') issues.push({ path: keyPath, message: 'Keys must be non-empty and free of NUL bytes' });
    else issues.push(...inspectMetadata(value[key], keyPath, depth + 1));
  }
  return issues;
};

const byteSize = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');

/** Free-form host data stored with a record: plain, operator-free, at most 16 KB as JSON. */
const checkedMetadata = z.unknown().transform((value, ctx): Record<string, unknown> => {
  if (!isPlainObject(value)) {
    ctx.addIssue({ code: 'custom', message: 'Expected a plain object' });
    return z.NEVER;
  }
  const issues = inspectMetadata(value);
  for (const issue of issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  if (issues.length > 0) return z.NEVER;
  if (byteSize(value) > MAX_METADATA_BYTES) {
    ctx.addIssue({ code: 'custom', message: `Must be at most ${MAX_METADATA_BYTES} bytes as JSON` });
    return z.NEVER;
  }
  return value;
});

/** Typed as an object on input too, so `metadata: 42` does not compile; the checks above still run on anything. */
export const metadataSchema = checkedMetadata as unknown as z.ZodType<Record<string, unknown>, Record<string, unknown>>;
