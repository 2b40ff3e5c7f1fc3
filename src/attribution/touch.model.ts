import { Schema, type Types } from 'mongoose';
import type { Ref } from '../kernel/ids.js';
import { type ResolvedTenant, withTenantKey } from '../kernel/tenant.js';
import { applyIndexes, type IndexDeclaration } from '../store/index-declaration.js';
import { ownedSchemaOptions, tenantPath } from '../store/schema-parts.js';

/** One visit through a referral link, kept until the TTL index removes it. */
export interface ReferralTouchRecord {
  _id: Types.ObjectId;
  organizationId?: Types.ObjectId | string;
  visitorId: string;
  codeId: Types.ObjectId;
  code: string;
  ownerRef: Ref;
  ownerModel: string;
  at: Date;
}

export const touchIndexes = (tenant: ResolvedTenant, ttlSeconds: number): IndexDeclaration[] => [
  {
    // attributeSale by visitorId: { tenant, visitorId, at: { $gte: windowStart } } sorted by at (first or last touch).
    name: 'rf_touch_visitor_recent',
    keys: withTenantKey(tenant, { visitorId: 1, at: -1 }),
    serves: 'attributeSale by visitorId, explain: { tenant, visitorId, at >= window start } by at',
  },
  {
    // eraseOwner: { tenant, ownerRef, ownerModel }; a referrer's visits over time: { tenant, ownerRef, ownerModel, at range }.
    name: 'rf_touch_owner_recent',
    keys: withTenantKey(tenant, { ownerRef: 1, ownerModel: 1, at: -1 }),
    serves: "eraseOwner: { tenant, ownerRef, ownerModel }; a referrer's visits by at",
  },
  {
    // stats.funnel by code: { tenant, codeId, at: { $gte, $lt } }.
    name: 'rf_touch_code_recent',
    keys: withTenantKey(tenant, { codeId: 1, at: -1 }),
    serves: 'stats.funnel by code: { tenant, codeId, at in [from, to) }',
  },
  {
    // TTL: raw touches expire `attribution.touchTtlDays` after the visit.
    name: 'rf_touch_ttl',
    keys: { at: 1 },
    expireAfterSeconds: ttlSeconds,
    serves: 'TTL expiry of raw touches',
  },
];

export const buildTouchSchema = (tenant: ResolvedTenant, collection: string, ttlSeconds: number): Schema => {
  const schema = new Schema(
    {
      ...tenantPath(tenant),
      visitorId: { type: String, required: true },
      codeId: { type: Schema.Types.ObjectId, required: true },
      code: { type: String, required: true },
      ownerRef: { type: Schema.Types.Mixed, required: true },
      ownerModel: { type: String, required: true },
      at: { type: Date, required: true },
    },
    ownedSchemaOptions(collection),
  );
  applyIndexes(schema, touchIndexes(tenant, ttlSeconds));
  return schema;
};
