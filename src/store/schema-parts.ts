import { Schema } from 'mongoose';
import type { ResolvedTenant } from '../kernel/tenant.js';

/** The tenant path every owned schema starts with (none in single-tenant mode). */
export const tenantPath = (tenant: ResolvedTenant) =>
  tenant.enabled ? { [tenant.field]: { type: tenant.fieldType === 'objectId' ? Schema.Types.ObjectId : String, required: true } } : {};

/** Owned collections: named explicitly, never created or indexed implicitly, no `__v`. */
export const ownedSchemaOptions = (collection: string) => ({ collection, autoIndex: false, autoCreate: false, versionKey: false, id: false }) as const;
