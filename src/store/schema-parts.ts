import { Schema } from 'mongoose';
import type { ResolvedTenant } from '../kernel/tenant.js';

/** The tenant path every owned schema starts with (none in single-tenant mode). */
export const tenantPath = (tenant: ResolvedTenant) =>
  tenant.enabled ? { [tenant.field]: { type: tenant.fieldType === 'objectId' ? Schema.Types.ObjectId : String, required: true } } : {};

/** Owned collections: named explicitly, never created or indexed implicitly, no `__v`. */
export const ownedSchemaOptions = (collection: string) => ({ collection, autoIndex: false, autoCreate: false, versionKey: false, id: false }) as const;

/**
 * Every write that can change what a record counts for stamps `changedAt` with the server's clock
 * (`$currentDate`), so dashboard rollups find what changed since they were computed, whichever
 * process wrote it. Outbox bookkeeping (acks, parking) does not stamp: it changes no count.
 */
export const STAMP_CHANGED = { $currentDate: { changedAt: true } } as const;

/** Schema path of that stamp; absent on a record no counted write touched yet (an undecided insert). */
export const changedAtPath = { changedAt: { type: Date } } as const;
