import { Schema, type Types } from 'mongoose';
import type { Ref } from '../core/ids.js';
import { type ResolvedTenant, withTenantKey } from '../core/tenant.js';
import { applyIndexes, type IndexDeclaration, LIVE, outboxPaths, pendingEventsIndex } from './index-declaration.js';

export interface ReferralCodeRecord {
  _id: Types.ObjectId;
  /** Present in multi-tenant mode, under the configured tenant field. */
  organizationId?: Types.ObjectId | string;
  code: string;
  ownerRef: Ref;
  ownerModel: string;
  active: boolean;
  deactivatedAt: Date | null;
  deletedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const referralCodeIndexes = (tenant: ResolvedTenant): IndexDeclaration[] => [
  {
    // lookupByCode / resolveReferrer / attributeSale: { tenant, code }. Not partial, so a code is
    // never issued twice in a tenant, even after deactivation or deletion.
    name: 'rf_code_unique',
    keys: withTenantKey(tenant, { code: 1 }),
    unique: true,
    serves: 'lookupByCode, resolveReferrer, attributeSale, deactivate: { tenant, code }',
  },
  {
    // generateCode: { tenant, ownerModel, ownerRef, active: true, deletedAt: null }; one live active code per owner.
    name: 'rf_code_owner_active_unique',
    keys: withTenantKey(tenant, { ownerModel: 1, ownerRef: 1 }),
    unique: true,
    partialFilterExpression: { active: true, ...LIVE },
    serves: 'generateCode: { tenant, ownerModel, ownerRef, active: true, deletedAt: null }',
  },
  pendingEventsIndex('code'),
];

export const buildReferralCodeSchema = (tenant: ResolvedTenant, collection: string): Schema => {
  const schema = new Schema(
    {
      ...(tenant.enabled ? { [tenant.field]: { type: tenant.fieldType === 'objectId' ? Schema.Types.ObjectId : String, required: true } } : {}),
      code: { type: String, required: true },
      ownerRef: { type: Schema.Types.Mixed, required: true },
      ownerModel: { type: String, required: true },
      active: { type: Boolean, required: true, default: true },
      deactivatedAt: { type: Date, default: null },
      deletedAt: { type: Date, default: null },
      createdAt: { type: Date, required: true },
      updatedAt: { type: Date, required: true },
      ...outboxPaths,
    },
    { collection, autoIndex: false, autoCreate: false, versionKey: false, id: false },
  );
  applyIndexes(schema, referralCodeIndexes(tenant));
  return schema;
};
