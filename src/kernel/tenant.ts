import type { Types } from 'mongoose';
import type { ReferralContext } from './context.js';
import { TenantRequiredError, ValidationError } from './errors.js';
import { toObjectId } from './ids.js';

/** Tenant configuration, structurally the same as the @classytic family's. */
export interface TenantConfig {
  enabled?: boolean;
  tenantField?: string;
  fieldType?: 'objectId' | 'string';
  required?: true;
}

/** The tenant equality every query and insert carries. */
export type TenantFilter = Record<string, Types.ObjectId | string>;

export interface ResolvedTenant {
  enabled: boolean;
  field: string;
  fieldType: 'objectId' | 'string';
}

const maxStringTenantLength = 128;

/** `undefined` means the default (multi-tenant, `organizationId` ObjectId); `false` is single-tenant. */
export const resolveTenant = (config: TenantConfig | false | undefined): ResolvedTenant => {
  if (config === false || config?.enabled === false) {
    return { enabled: false, field: config ? (config.tenantField ?? 'organizationId') : 'organizationId', fieldType: 'objectId' };
  }
  return { enabled: true, field: config?.tenantField ?? 'organizationId', fieldType: config?.fieldType ?? 'objectId' };
};

const parseTenantValue = (tenant: ResolvedTenant, raw: unknown): Types.ObjectId | string => {
  if (tenant.fieldType === 'objectId') return toObjectId(raw, 'ctx.organizationId');
  if (typeof raw === 'string' && raw.trim() !== '' && raw.length <= maxStringTenantLength && !/[\u0000-\u001f\u007f]/.test(raw)) {
    return raw;
  }
  throw new ValidationError([{ field: 'ctx.organizationId', message: `Expected a non-empty string of at most ${maxStringTenantLength} characters` }]);
};

/**
 * The tenant equality every query and insert carries: `{ organizationId: <id> }`, or `{}` in
 * single-tenant mode. Throws before any I/O when the tenant is missing or malformed.
 */
export const tenantScope = (tenant: ResolvedTenant, ctx: ReferralContext | undefined): TenantFilter => {
  if (!tenant.enabled) return {};
  const raw = ctx?.organizationId;
  if (raw === undefined || raw === null || raw === '') throw new TenantRequiredError(tenant.field);
  return { [tenant.field]: parseTenantValue(tenant, raw) };
};

/** Prefixes an index key with the tenant field so the tenant leads every compound index. */
export const withTenantKey = <K extends Record<string, 1 | -1>>(tenant: ResolvedTenant, keys: K): Record<string, 1 | -1> =>
  tenant.enabled ? { [tenant.field]: 1, ...keys } : { ...keys };
