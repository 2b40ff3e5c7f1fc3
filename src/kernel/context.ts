import type { ClientSession } from 'mongoose';
import { z } from 'zod';
import { ValidationError } from './errors.js';
import { noControlCharacters } from './input.js';

/** An id as the family passes it (@classytic/primitives `IdLike`): a string, or an ObjectId from any bson copy. */
export type IdLike = string | { toString(): string; toHexString?(): string };

/**
 * Per-call context: structurally @classytic/primitives' `OperationContext`, so a host passes
 * its own without a cast. `session` is threaded into every MongoDB command so verbs can join
 * the host's transaction; the tenant is read from the key the tenant config names.
 */
export interface ReferralContext {
  actorId?: IdLike | undefined;
  organizationId?: IdLike | undefined;
  session?: unknown;
  correlationId?: string | undefined;
  idempotencyKey?: string | undefined;
  traceId?: string | undefined;
  requestId?: string | undefined;
  mode?: 'soft' | 'hard' | undefined;
  metadata?: Readonly<Record<string, unknown>> | undefined;
}

/** The context after validation: ids as strings, the session typed. */
export interface CheckedContext {
  actorId?: string;
  session?: ClientSession | null;
  correlationId?: string;
  idempotencyKey?: string;
  traceId?: string;
  requestId?: string;
  /** The caller's own object, for the tenant config to read its key from. */
  raw: Readonly<Record<string, unknown>>;
}

const MAX_ID_LENGTH = 128;
const MAX_KEY_LENGTH = 256;

/** A string that may be stored and echoed in event meta: bounded, no control characters. */
export const safeText = (max: number) =>
  z
    .string()
    .min(1, 'Must not be empty')
    .max(max, `Must be at most ${max} characters`)
    .refine(...noControlCharacters);

/**
 * The string an IdLike stands for: a string as is, a whole number in decimal, an ObjectId's hex
 * (lower case), or the `toString()` of an id object that defines its own. A plain object (`{ $ne: null }`) stands
 * for nothing: its `toString` is Object's, which would print `[object Object]`; nor does an
 * array, whose `toString` would turn `['a']` or `[['a']]` into `a`.
 */
export const idLikeToString = (value: unknown): string | null => {
  if (typeof value === 'string') return value;
  // primitives' `idToString` maps any IdLike with `toString()`, a numeric id (a SQL user id) among them.
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : null;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const toHex = (value as { toHexString?: unknown }).toHexString;
  if (typeof toHex === 'function') {
    const hex: unknown = toHex.call(value);
    return typeof hex === 'string' ? hex.toLowerCase() : null;
  }
  const stringify = (value as { toString?: unknown }).toString;
  if (typeof stringify !== 'function' || stringify === Object.prototype.toString) return null;
  const text: unknown = stringify.call(value);
  return typeof text === 'string' ? text : null;
};

const idLikeSchema = z.unknown().transform((value, issue): string => {
  const text = idLikeToString(value);
  const parsed = safeText(MAX_ID_LENGTH).safeParse(text ?? undefined);
  if (text !== null && parsed.success) return parsed.data;
  issue.addIssue({
    code: 'custom',
    message: text === null ? 'Expected a string id, a whole number or an id object (ObjectId)' : (parsed.error?.issues[0]?.message ?? 'Invalid id'),
  });
  return z.NEVER;
});

/** What every command does with a session: the driver's `ClientSession` methods and state (any copy of the driver). */
const SESSION_METHODS = ['inTransaction', 'startTransaction', 'commitTransaction', 'abortTransaction', 'withTransaction', 'endSession'] as const;

const isClientSession = (value: unknown): value is ClientSession => {
  if (typeof value !== 'object' || value === null) return false;
  const session = value as Record<string, unknown>;
  return (
    SESSION_METHODS.every((method) => typeof session[method] === 'function') &&
    typeof session.hasEnded === 'boolean' &&
    typeof session.clientOptions === 'object'
  );
};

const sessionSchema = z
  .custom<ClientSession | null>((value) => value === null || isClientSession(value), 'Expected a MongoDB ClientSession')
  .refine((session) => session === null || !session.hasEnded, 'The ClientSession has ended');

/** The fields the engine reads; the tenant is checked by the tenant config, other keys are the host's. */
const contextSchema = z.looseObject({
  actorId: idLikeSchema.optional(),
  session: sessionSchema.optional(),
  correlationId: safeText(MAX_KEY_LENGTH).optional(),
  idempotencyKey: safeText(MAX_KEY_LENGTH).optional(),
  traceId: safeText(MAX_KEY_LENGTH).optional(),
  requestId: safeText(MAX_KEY_LENGTH).optional(),
  mode: z.enum(['soft', 'hard']).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

const CHECKED_KEYS = new Set(Object.keys(contextSchema.shape));

/**
 * Validates every ctx field the engine stores or uses before any I/O; failures are
 * `validation_failed` naming the field (`ctx.correlationId`).
 */
export const parseContext = (ctx: unknown): CheckedContext => {
  if (ctx === undefined || ctx === null) return { raw: {} };
  if (typeof ctx !== 'object' || Array.isArray(ctx)) throw new ValidationError([{ field: 'ctx', message: 'Expected an object' }]);
  const entries = Object.entries(ctx).filter(([, value]) => value !== undefined);
  // fromEntries defines own keys, so a `__proto__` key stays data.
  const present: Record<string, unknown> = Object.fromEntries(entries);
  // The usual ctx names only the tenant (checked by the tenant config): nothing here to validate.
  if (!entries.some(([key]) => CHECKED_KEYS.has(key))) return { raw: present };
  const result = contextSchema.safeParse(present);
  if (!result.success) {
    throw new ValidationError(result.error.issues.map((issue) => ({ field: ['ctx', ...issue.path.map(String)].join('.'), message: issue.message })));
  }
  const { actorId, session, correlationId, idempotencyKey, traceId, requestId } = result.data;
  const checked: CheckedContext = { raw: present };
  if (actorId !== undefined) checked.actorId = actorId;
  if (session !== undefined) checked.session = session;
  if (correlationId !== undefined) checked.correlationId = correlationId;
  if (idempotencyKey !== undefined) checked.idempotencyKey = idempotencyKey;
  if (traceId !== undefined) checked.traceId = traceId;
  if (requestId !== undefined) checked.requestId = requestId;
  return checked;
};
