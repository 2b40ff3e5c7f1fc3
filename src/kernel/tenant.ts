import { Types } from 'mongoose';
import { idLikeToString, safeText } from './context.js';
import { configError, TenantRequiredError, ValidationError } from './errors.js';
import { OBJECT_ID_HEX } from './ids.js';

/**
 * Tenant configuration: structurally @classytic/repo-core's `TenantConfig`
 * (src/tenant/types.ts), resolved with its semantics (src/tenant/resolve.ts): `field` (default),
 * `none` (single-tenant, like `enabled: false`) or `custom` (`resolve(ctx)` returns the scope).
 */
export interface TenantConfig {
  strategy?: 'field' | 'none' | 'custom' | undefined;
  enabled?: boolean | undefined;
  /** Stored field and the first key of every compound index. Default `organizationId`. */
  tenantField?: string | undefined;
  fieldType?: 'objectId' | 'string' | undefined;
  /** Mongoose ref of an ObjectId tenant field. Default `organization`. */
  ref?: string | undefined;
  /** The ctx key the tenant is read from. Default: `tenantField`, else `organizationId`. */
  contextKey?: string | undefined;
  /** `false` lets READ verbs run across tenants when the ctx names none; writes always need one. Default true. */
  required?: boolean | undefined;
  /** `strategy: 'custom'`: the scope for a ctx; must include `tenantField`, may add more fields. */
  resolve?: ((ctx: Record<string, unknown>) => Record<string, unknown> | undefined) | undefined;
}

export interface ResolvedTenant {
  strategy: 'field' | 'none' | 'custom';
  enabled: boolean;
  field: string;
  fieldType: 'objectId' | 'string';
  ref: string;
  contextKey: string;
  required: boolean;
  resolve: ((ctx: Record<string, unknown>) => Record<string, unknown> | undefined) | undefined;
}

/** The tenant equality every query and insert carries. */
export type TenantFilter = Record<string, unknown>;

/** Whether a verb only reads (may run unscoped when `required: false`) or writes. */
export type Access = 'read' | 'write';

const DEFAULTS = { tenantField: 'organizationId', fieldType: 'objectId', ref: 'organization' } as const;
const fieldNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `undefined`/`true`: the default (multi-tenant, `organizationId` ObjectId, required); `false`: single-tenant. */
export const resolveTenant = (config: TenantConfig | boolean | undefined): ResolvedTenant => {
  const given = typeof config === 'object' && config !== null ? config : {};
  const field = given.tenantField ?? DEFAULTS.tenantField;
  if (!fieldNamePattern.test(field)) throw configError('tenant.tenantField', 'Must be a plain field name');
  const strategy = config === false ? 'none' : (given.strategy ?? (given.enabled === false ? 'none' : 'field'));
  if (strategy !== 'field' && strategy !== 'none' && strategy !== 'custom') throw configError('tenant.strategy', 'Must be "field", "none" or "custom"');
  if (strategy === 'custom' && typeof given.resolve !== 'function') throw configError('tenant.resolve', "strategy 'custom' requires a resolve function");
  const fieldType = given.fieldType ?? DEFAULTS.fieldType;
  if (fieldType !== 'objectId' && fieldType !== 'string') throw configError('tenant.fieldType', 'Must be "objectId" or "string"');
  const enabled = strategy !== 'none' && given.enabled !== false;
  return {
    strategy,
    enabled,
    field,
    fieldType,
    ref: given.ref ?? DEFAULTS.ref,
    contextKey: given.contextKey ?? given.tenantField ?? DEFAULTS.tenantField,
    required: enabled ? given.required !== false : false,
    resolve: strategy === 'custom' ? given.resolve : undefined,
  };
};

const MAX_STRING_TENANT = 128;

/** A tenant id as stored: an ObjectId (from any IdLike spelling it) or a safe string. */
const parseTenantValue = (tenant: ResolvedTenant, raw: unknown, field: string): Types.ObjectId | string => {
  const text = idLikeToString(raw);
  if (tenant.fieldType === 'objectId') {
    if (text !== null && OBJECT_ID_HEX.test(text)) return new Types.ObjectId(text.toLowerCase());
    throw new ValidationError([{ field, message: 'Expected a 24-character hex ObjectId' }]);
  }
  const parsed = safeText(MAX_STRING_TENANT).safeParse(text ?? undefined);
  if (text !== null && text.trim() !== '' && parsed.success) return text;
  throw new ValidationError([{ field, message: `Expected a non-empty string of at most ${MAX_STRING_TENANT} characters` }]);
};

const isMissing = (value: unknown): boolean => value === undefined || value === null || value === '';

/** The extra fields of a custom scope: plain keys, scalar values, nothing that is an operator. */
const customExtras = (scope: Record<string, unknown>, tenantField: string): Record<string, unknown> => {
  const extras: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(scope)) {
    if (key === tenantField || value === undefined) continue;
    const scalar = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Types.ObjectId;
    if (!fieldNamePattern.test(key) || !scalar)
      throw new ValidationError([{ field: `tenant.resolve().${key}`, message: 'Scope fields must be plain names with scalar values' }]);
    extras[key] = value;
  }
  return extras;
};

/**
 * The tenant equality every query and insert carries (`{}` when scoping is off). Throws before
 * any I/O when the tenant is missing or malformed; with `required: false` a read without a
 * tenant runs across tenants.
 */
export const tenantScope = (tenant: ResolvedTenant, ctx: Readonly<Record<string, unknown>>, access: Access): TenantFilter => {
  if (!tenant.enabled) return {};
  const scope = tenant.strategy === 'custom' ? tenant.resolve?.({ ...ctx }) : { [tenant.field]: ctx[tenant.contextKey] };
  const value = scope?.[tenant.field];
  if (isMissing(value)) {
    if (!tenant.required && access === 'read') return {};
    throw new TenantRequiredError(tenant.strategy === 'custom' ? `tenant.resolve().${tenant.field}` : `ctx.${tenant.contextKey}`);
  }
  const field = tenant.strategy === 'custom' ? `tenant.resolve().${tenant.field}` : `ctx.${tenant.contextKey}`;
  return { [tenant.field]: parseTenantValue(tenant, value, field), ...(scope ? customExtras(scope, tenant.field) : {}) };
};

/** Prefixes an index key with the tenant field so the tenant leads every compound index. */
export const withTenantKey = <K extends Record<string, 1 | -1>>(tenant: ResolvedTenant, keys: K): Record<string, 1 | -1> =>
  tenant.enabled ? { [tenant.field]: 1, ...keys } : { ...keys };
