/**
 * Every failure the engine raises is a ReferralError: `code` is a stable machine string callers
 * branch on, `status` is the HTTP status a host can answer with. Subclasses exist where callers
 * usually branch by class rather than by code.
 */

import type { ApprovalErrorCode, ReferralErrorCode } from './error-codes.js';

export { APPROVAL_ERROR_CODES, type ApprovalErrorCode, REFERRAL_ERROR_CODES, type ReferralErrorCode } from './error-codes.js';

export interface ReferralErrorOptions {
  /** Structured, value-free detail (field names, step ids); safe to log and return to clients. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * Structurally @classytic/repo-core's `HttpError` (src/errors/types.ts): `status`, `code`, and
 * `meta` with the structured detail, so `toErrorContract` renders it fully.
 */
export class ReferralError extends Error {
  readonly code: ReferralErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  /** The same detail as `details`, where the family's error contract reads it. */
  readonly meta: Record<string, unknown> | undefined;

  constructor(code: ReferralErrorCode, message: string, status: number, options: ReferralErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ReferralError';
    this.code = code;
    this.status = status;
    this.details = options.details;
    this.meta = options.details;
  }

  toJSON(): { name: string; code: ReferralErrorCode; status: number; message: string; details?: Record<string, unknown> } {
    return { name: this.name, code: this.code, status: this.status, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

export interface ValidationIssue {
  /** Dotted path of the offending field, e.g. `input.amount`. */
  field: string;
  message: string;
}

/** 422: input did not pass the zod schema; `field` names the first offending field. */
export class ValidationError extends ReferralError {
  readonly field: string;
  readonly issues: ValidationIssue[];
  /** One entry per offending field, in the family's `ValidationErrorMeta` shape (`toErrorContract` details). */
  readonly validationErrors: { validator: string; error: string; path: string }[];

  constructor(issues: ValidationIssue[]) {
    const first = issues[0] ?? { field: '(input)', message: 'Invalid input' };
    super('validation_failed', `Invalid ${first.field}: ${first.message}`, 422, { details: { issues } });
    this.name = 'ValidationError';
    this.field = first.field;
    this.issues = issues;
    this.validationErrors = issues.map((issue) => ({ validator: 'validation_failed', error: issue.message, path: issue.field }));
  }
}

/** 403: a tenant-scoped verb was called without its tenant (`ctx.organizationId` by default). Raised before any I/O. */
export class TenantRequiredError extends ReferralError {
  constructor(source: string) {
    super('tenant_required', `${source} is required (multi-tenant mode)`, 403, { details: { field: source } });
    this.name = 'TenantRequiredError';
  }
}

/** 404: the addressed record does not exist in this tenant (or is soft-deleted). */
export class NotFoundError extends ReferralError {
  constructor(code: 'code_not_found' | 'referral_not_found', message: string) {
    super(code, message, 404);
    this.name = 'NotFoundError';
  }
}

/** 422: the referee owns the code (or is the referrer). Nothing was written. */
export class SelfReferralError extends ReferralError {
  constructor() {
    super('self_referral', 'A referee cannot be referred by their own code', 422);
    this.name = 'SelfReferralError';
  }
}

/** 409: the record is not in a state that allows this change (or another writer won the race). */
export class InvalidTransitionError extends ReferralError {
  constructor(from: string, to: string) {
    super('invalid_transition', `Cannot move a referral from "${from}" to "${to}"`, 409, { details: { from, to } });
    this.name = 'InvalidTransitionError';
  }
}

/** 409: a unique constraint refused the write. Carries the conflicting field names, never values. */
export class DuplicateError extends ReferralError {
  readonly fields: string[];
  /** The family's `DuplicateKeyMeta`: field names only, never values. */
  readonly duplicate: { fields: string[] };

  constructor(fields: string[], cause?: unknown) {
    super('duplicate', `Duplicate value for ${fields.join(', ') || 'a unique field'}`, 409, { details: { fields }, cause });
    this.name = 'DuplicateError';
    this.fields = fields;
    this.duplicate = { fields };
  }
}

/**
 * 409: a sale already recorded was sent again with different parameters (another referee, or
 * another referrer's code). Nothing was written; `fields` names what differs, never the values.
 */
export class ReplayConflictError extends ReferralError {
  readonly fields: string[];

  constructor(fields: string[], message = `This sale was already recorded with a different ${fields.join(', ')}`) {
    super('replay_conflict', message, 409, { details: { fields } });
    this.name = 'ReplayConflictError';
    this.fields = fields;
  }
}

/** 503: the record kept changing under concurrent writers; nothing was written. Safe to retry. */
export class ContentionError extends ReferralError {
  readonly retryable = true;

  constructor(what: string) {
    super('contention', `The ${what} kept changing concurrently; nothing was written, retry the call`, 503);
    this.name = 'ContentionError';
  }
}

/**
 * Reported to `events.onError` (never thrown to a verb's caller): the transport did not settle
 * within `events.publishTimeoutMs`. The event stays pending and is relayed later.
 */
/**
 * A verb call took longer than the engine's `timeoutMS`: the caller stops waiting, and what the
 * call had sent may still land. Retry it: a sale, a decision or a refund is answered as recorded.
 */
export class CallTimeoutError extends ReferralError {
  constructor(verb: string, timeoutMs: number) {
    super('call_timeout', `${verb} did not finish within ${timeoutMs} ms; its outcome is unknown until it is retried`, 504, { details: { verb, timeoutMs } });
    this.name = 'CallTimeoutError';
  }
}

export class PublishTimeoutError extends ReferralError {
  constructor(timeoutMs: number) {
    super('publish_timeout', `The transport did not settle within ${timeoutMs} ms; the event stays pending`, 504, { details: { timeoutMs } });
    this.name = 'PublishTimeoutError';
  }
}

/**
 * Reported to `events.onError`: an event failed `events.maxDeliveryAttempts` times and was
 * parked. It is no longer relayed until the host requeues it (`events.requeue(id)`).
 */
export class EventParkedError extends ReferralError {
  constructor(eventId: string, attempts: number, cause: unknown) {
    super('event_parked', `Event ${eventId} failed ${attempts} deliveries and was parked; see events.parked()`, 500, { details: { eventId, attempts }, cause });
    this.name = 'EventParkedError';
  }
}

/**
 * 409 `engine_conflict`: a model of this engine is already registered on the connection. Named
 * like @classytic/mongokit's collision error, with the model that collided.
 */
export class ModelCollisionError extends ReferralError {
  readonly modelName: string;

  constructor(modelName: string) {
    super(
      'engine_conflict',
      `Model "${modelName}" is already registered on this connection; close() the other engine or pass a different collectionPrefix`,
      409,
      { details: { modelName } },
    );
    this.name = 'ModelCollisionError';
    this.modelName = modelName;
  }
}

/** 422: a fraud guard rejected the conversion; nothing was written. `rules` names the guards. */
export class FraudRejectedError extends ReferralError {
  readonly rules: string[];

  constructor(rules: string[]) {
    super('fraud_rejected', `Refused by ${rules.join(', ')}`, 422, { details: { rules } });
    this.name = 'FraudRejectedError';
    this.rules = rules;
  }
}

/** The HTTP status added to each primitives approval code. */
const approvalStatus: Record<ApprovalErrorCode, number> = {
  EMPTY_STEPS: 422,
  DUPLICATE_STEP_ID: 422,
  EMPTY_APPROVERS: 422,
  DUPLICATE_APPROVER_ID: 422,
  INVALID_QUORUM: 422,
  UNKNOWN_STEP: 404,
  UNAUTHORIZED_APPROVER: 403,
  STEP_NOT_ACTIVE: 409,
  STEP_ALREADY_DECIDED_BY_APPROVER: 409,
  CHAIN_INCOMPLETE: 409,
  CHAIN_MISSING: 409,
};

/** Raised by the pure approval module, with primitives' codes; the status follows the rule that was broken. */
export class ApprovalError extends ReferralError {
  declare readonly code: ApprovalErrorCode;

  constructor(code: ApprovalErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, approvalStatus[code], details ? { details } : {});
    this.name = 'ApprovalError';
  }
}

/**
 * A bad engine option: the same 422 `validation_failed` as bad input, naming the option
 * (`codes.length`, `attribution.windowDays`), so hosts handle configuration like any input.
 */
export const configError = (option: string, message: string): ValidationError => new ValidationError([{ field: option, message }]);

export const isReferralError = (error: unknown): error is ReferralError => error instanceof ReferralError;
