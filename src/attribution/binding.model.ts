import { Schema, type Types } from 'mongoose';
import type { Ref } from '../kernel/ids.js';
import { type ResolvedTenant, withTenantKey } from '../kernel/tenant.js';
import { partyPaths } from '../referrals/model.js';
import { applyIndexes, type IndexDeclaration } from '../store/index-declaration.js';
import { ownedSchemaOptions, tenantPath } from '../store/schema-parts.js';

/** Lifetime attribution: a referee belongs to the first referrer that converted them. */
export interface ReferralBindingRecord {
  _id: Types.ObjectId;
  organizationId?: Types.ObjectId | string;
  refereeRef: Ref;
  refereeModel: string;
  referrerRef: Ref;
  referrerModel: string;
  codeId: Types.ObjectId | null;
  code: string | null;
  boundAt: Date;
  createdAt: Date;
}

export const bindingIndexes = (tenant: ResolvedTenant): IndexDeclaration[] => [
  {
    // binding 'lifetime' { tenant, refereeRef, refereeModel }; unique, so the first bind wins. explain { tenant, refereeRef }.
    name: 'rf_binding_referee_unique',
    keys: withTenantKey(tenant, { refereeRef: 1, refereeModel: 1 }),
    unique: true,
    serves: 'lifetime binding: { tenant, refereeRef, refereeModel }; explain: { tenant, refereeRef }',
  },
  {
    // eraseOwner: { tenant, referrerRef, referrerModel }, every binding to the erased referrer.
    name: 'rf_binding_referrer',
    keys: withTenantKey(tenant, { referrerRef: 1, referrerModel: 1 }),
    serves: 'eraseOwner: { tenant, referrerRef, referrerModel }',
  },
];

export const buildBindingSchema = (tenant: ResolvedTenant, collection: string): Schema => {
  const schema = new Schema(
    {
      ...tenantPath(tenant),
      ...partyPaths,
      boundAt: { type: Date, required: true },
      createdAt: { type: Date, required: true },
    },
    ownedSchemaOptions(collection),
  );
  applyIndexes(schema, bindingIndexes(tenant));
  return schema;
};
