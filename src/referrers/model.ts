import { Schema, type Types } from 'mongoose';
import type { Ref } from '../kernel/ids.js';
import { type ResolvedTenant, withTenantKey } from '../kernel/tenant.js';
import { actorsIndex, actorsPath, applyIndexes, type IndexDeclaration, parkedEventsIndex, pendingEventsIndex } from '../store/index-declaration.js';
import { outboxPaths } from '../store/outbox/fields.js';
import { ownedSchemaOptions, tenantPath } from '../store/schema-parts.js';

/** A referrer's standing in a tenant: written the first time they are suspended, kept (and flipped) after. */
export interface ReferralReferrerRecord {
  _id: Types.ObjectId;
  organizationId?: Types.ObjectId | string;
  referrerRef: Ref;
  referrerModel: string;
  /** Set while suspended: no new sale or signup is credited to them. Null once resumed. */
  suspendedAt: Date | null;
  /** Why, as the host gave it (shown to reviewers; dropped by erasure). */
  suspendedReason: string | null;
  resumedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const referrerIndexes = (tenant: ResolvedTenant): IndexDeclaration[] => [
  {
    // The sale and signup fence, suspend and resume: { tenant, referrerRef, referrerModel }; one standing per referrer.
    name: 'rf_referrer_unique',
    keys: withTenantKey(tenant, { referrerRef: 1, referrerModel: 1 }),
    unique: true,
    serves: 'the fence, suspendReferrer, resumeReferrer, eraseOwner: { tenant, referrerRef, referrerModel }',
  },
  pendingEventsIndex('referrer'),
  parkedEventsIndex('referrer'),
  actorsIndex(tenant, 'referrer'),
];

export const buildReferrerSchema = (tenant: ResolvedTenant, collection: string): Schema => {
  const schema = new Schema(
    {
      ...tenantPath(tenant),
      referrerRef: { type: Schema.Types.Mixed, required: true },
      referrerModel: { type: String, required: true },
      suspendedAt: { type: Date, default: null },
      suspendedReason: { type: String, default: null },
      resumedAt: { type: Date, default: null },
      createdAt: { type: Date, required: true },
      updatedAt: { type: Date, required: true },
      ...outboxPaths,
      ...actorsPath,
    },
    ownedSchemaOptions(collection),
  );
  applyIndexes(schema, referrerIndexes(tenant));
  return schema;
};
