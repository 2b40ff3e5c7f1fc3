import { Schema, type Types } from 'mongoose';
import type { Ref } from '../kernel/ids.js';
import { type ResolvedTenant, withTenantKey } from '../kernel/tenant.js';
import { actorsIndex, actorsPath, applyIndexes, type IndexDeclaration, LIVE, parkedEventsIndex, pendingEventsIndex } from '../store/index-declaration.js';
import { outboxPaths } from '../store/outbox/fields.js';
import { ownedSchemaOptions, tenantPath } from '../store/schema-parts.js';

export interface ReferralCodeRecord {
  _id: Types.ObjectId;
  /** Present in multi-tenant mode, under the configured tenant field. */
  organizationId?: Types.ObjectId | string;
  code: string;
  /** `code` with look-alikes folded (O->0, I/L->1): unique per tenant, so no two codes read alike. */
  foldedCode: string;
  ownerRef: Ref;
  ownerModel: string;
  /** `generated` codes are one per owner; `vanity` codes are claimed by name, in addition. */
  kind: 'generated' | 'vanity';
  active: boolean;
  expiresAt?: Date | null;
  maxConversions?: number | null;
  /** Conversions recorded through the code (counted while `maxConversions` is set). */
  conversions?: number;
  campaign?: string | null;
  metadata?: Record<string, unknown> | null;
  deactivatedAt: Date | null;
  deletedAt: Date | null;
  /** Set when the owner was erased (ownerRef is then a one-way stand-in). */
  erasedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

export const referralCodeIndexes = (tenant: ResolvedTenant): IndexDeclaration[] => [
  {
    // deactivate / softDelete / setPolicy: { tenant, code, deletedAt: null }. Not partial, so a code is
    // never issued twice in a tenant, even after deactivation or deletion.
    name: 'rf_code_unique',
    keys: withTenantKey(tenant, { code: 1 }),
    unique: true,
    serves: 'deactivate, softDelete, setPolicy: { tenant, code }',
  },
  {
    // resolveReferrer / attributeSale / trackVisit / claimVanityCode: { tenant, foldedCode }. Unique and not
    // partial, so two codes that read alike (BOLT, B0LT) never coexist in a tenant, live or retired.
    name: 'rf_code_folded_unique',
    keys: withTenantKey(tenant, { foldedCode: 1 }),
    unique: true,
    serves: 'resolveReferrer, attributeSale, trackVisit, claimVanityCode: { tenant, foldedCode }',
  },
  {
    // generateCode: { tenant, ownerModel, ownerRef, kind: 'generated', active: true, deletedAt: null }; one live generated code per owner.
    name: 'rf_code_owner_active_unique',
    keys: withTenantKey(tenant, { ownerModel: 1, ownerRef: 1 }),
    unique: true,
    partialFilterExpression: { kind: 'generated', active: true, ...LIVE },
    serves: 'generateCode: { tenant, ownerModel, ownerRef, kind: generated, active: true, deletedAt: null }',
  },
  {
    // eraseOwner: { tenant, ownerRef, ownerModel }, every code of the owner (any kind or state).
    name: 'rf_code_owner_all',
    keys: withTenantKey(tenant, { ownerRef: 1, ownerModel: 1 }),
    serves: 'eraseOwner: { tenant, ownerRef, ownerModel }',
  },
  pendingEventsIndex('code'),
  parkedEventsIndex('code'),
  actorsIndex(tenant, 'code'),
];

export const buildReferralCodeSchema = (tenant: ResolvedTenant, collection: string): Schema => {
  const schema = new Schema(
    {
      ...tenantPath(tenant),
      code: { type: String, required: true },
      foldedCode: { type: String, required: true },
      ownerRef: { type: Schema.Types.Mixed, required: true },
      ownerModel: { type: String, required: true },
      kind: { type: String, required: true, enum: ['generated', 'vanity'], default: 'generated' },
      active: { type: Boolean, required: true, default: true },
      expiresAt: { type: Date, default: null },
      maxConversions: { type: Number, default: null },
      conversions: { type: Number, default: 0 },
      campaign: { type: String, default: null },
      metadata: { type: Schema.Types.Mixed, default: null },
      deactivatedAt: { type: Date, default: null },
      deletedAt: { type: Date, default: null },
      erasedAt: { type: Date },
      createdAt: { type: Date, required: true },
      updatedAt: { type: Date, required: true },
      ...outboxPaths,
      ...actorsPath,
    },
    ownedSchemaOptions(collection),
  );
  applyIndexes(schema, referralCodeIndexes(tenant));
  return schema;
};
