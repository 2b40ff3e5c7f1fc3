import type { ClientSession, Types } from 'mongoose';
import { z } from 'zod';
import { ValidationError } from './errors.js';

/**
 * Per-call context, structurally the same as the @classytic family's request context.
 * `session` is threaded into every MongoDB command so a host can enlist verbs in its transaction.
 */
export interface ReferralContext {
  actorId?: string | Types.ObjectId;
  organizationId?: string | Types.ObjectId;
  session?: ClientSession | null;
  correlationId?: string;
  idempotencyKey?: string;
}

const MAX_ID_LENGTH = 128;
const MAX_KEY_LENGTH = 256;
const controlCharacters = /[\u0000-\u001f\u007f]/;

/** A string that may be stored and echoed in event meta: bounded, no control characters. */
const safeText = (max: number) =>
  z
    .string()
    .min(1, 'Must not be empty')
    .max(max, `Must be at most ${max} characters`)
    .refine((value) => !controlCharacters.test(value), 'Must not contain control characters');

/** An ObjectId from any bson copy: an object whose toHexString() gives 24 hex characters. */
const hexIdOf = (value: unknown): string | null => {
  const toHex = (value as { toHexString?: unknown } | null)?.toHexString;
  if (typeof toHex !== 'function') return null;
  const hex: unknown = toHex.call(value);
  return typeof hex === 'string' && /^[0-9a-fA-F]{24}$/.test(hex) ? hex.toLowerCase() : null;
};

/** An actor id as stored in event meta: a safe string, or an ObjectId's hex. */
const actorIdSchema = z.unknown().transform((value, issue): string => {
  if (typeof value === 'string') {
    const parsed = safeText(MAX_ID_LENGTH).safeParse(value);
    if (parsed.success) return parsed.data;
    for (const { message } of parsed.error.issues) issue.addIssue({ code: 'custom', message });
    return z.NEVER;
  }
  const hex = hexIdOf(value);
  if (hex) return hex;
  issue.addIssue({ code: 'custom', message: 'Expected a string id or an ObjectId' });
  return z.NEVER;
});

const sessionSchema = z.custom<ClientSession | null>(
  (value) => value === null || (typeof value === 'object' && typeof (value as { inTransaction?: unknown }).inTransaction === 'function'),
  'Expected a MongoDB ClientSession',
);

/** The fields the engine reads; the tenant is checked by the tenant config, other keys are the host's. */
const contextSchema = z.looseObject({
  actorId: actorIdSchema.optional(),
  session: sessionSchema.optional(),
  correlationId: safeText(MAX_KEY_LENGTH).optional(),
  idempotencyKey: safeText(MAX_KEY_LENGTH).optional(),
});

/**
 * Validates every ctx field the engine stores or uses before any I/O; failures are
 * `validation_failed` naming the field (`ctx.correlationId`). Returns the ctx with `actorId`
 * as a string.
 */
export const parseContext = (ctx: unknown): ReferralContext => {
  if (ctx === undefined || ctx === null) return {};
  if (typeof ctx !== 'object' || Array.isArray(ctx)) throw new ValidationError([{ field: 'ctx', message: 'Expected an object' }]);
  const present = Object.fromEntries(Object.entries(ctx).filter(([, value]) => value !== undefined));
  const result = contextSchema.safeParse(present);
  if (!result.success) {
    throw new ValidationError(result.error.issues.map((issue) => ({ field: ['ctx', ...issue.path.map(String)].join('.'), message: issue.message })));
  }
  return result.data as ReferralContext;
};
