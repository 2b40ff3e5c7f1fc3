import { Schema, type Types } from 'mongoose';
import type { z } from 'zod';
import type { leadAttributionRuleSchema } from '../events/payloads.js';
import type { GuardVerdict } from '../guards/types.js';
import type { Ref } from '../kernel/ids.js';
import { type ResolvedTenant, withTenantKey } from '../kernel/tenant.js';
import { partyPaths } from '../referrals/model.js';
import {
  actorsIndex,
  actorsPath,
  applyIndexes,
  changedByReferrerIndex,
  type IndexDeclaration,
  LIVE,
  parkedEventsIndex,
  pendingEventsIndex,
  unconfirmedIndex,
} from '../store/index-declaration.js';
import { outboxPaths } from '../store/outbox/fields.js';
import { changedAtPath, ownedSchemaOptions, tenantPath } from '../store/schema-parts.js';

/** Who referred whom, recorded at signup (or by the referee's first sale through a code). */
export interface ReferralLeadRecord {
  _id: Types.ObjectId;
  organizationId?: Types.ObjectId | string;
  refereeRef: Ref;
  refereeModel: string;
  referrerRef: Ref;
  referrerModel: string;
  codeId: Types.ObjectId | null;
  code: string | null;
  attribution: { rule: z.infer<typeof leadAttributionRuleSchema>; visitorId?: string; touchAt?: Date };
  /** `signed_up` until the first sale, then `converted`. */
  status: 'signed_up' | 'converted';
  /** When the referee signed up (may be backdated for imports). */
  signedUpAt: Date;
  /** Set by the first sale, once; `firstReferralId` names it. */
  firstConvertedAt: Date | null;
  firstReferralId: Types.ObjectId | null;
  /** True when the first sale recorded the lead (no signup was recorded before it). */
  viaSale: boolean;
  metadata: Record<string, unknown> | null;
  review: GuardVerdict | null;
  deletedAt: Date | null;
  /** Present while a new lead is not decided yet by the fence (it is not live meanwhile: `deletedAt` is set). */
  unconfirmedAt?: Date;
  /** Why the fence voided a lead that never stood (its code retired, its referrer suspended), or `abandoned`. */
  voidedReason?: 'code_deactivated' | 'code_expired' | 'referrer_suspended' | 'abandoned';
  erasedAt?: Date;
  /** Set when the referrer (a code owner) was erased: `referrerRef` is their stand-in. */
  referrerErasedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

export const leadIndexes = (tenant: ResolvedTenant): IndexDeclaration[] => [
  {
    // attributeSignup / attributeSale: { tenant, refereeRef, refereeModel, deletedAt: null }; one live lead per referee, first signup wins.
    name: 'rf_lead_referee_unique',
    keys: withTenantKey(tenant, { refereeRef: 1, refereeModel: 1 }),
    unique: true,
    partialFilterExpression: { ...LIVE },
    serves: 'attributeSignup, attributeSale, explain: { tenant, refereeRef, refereeModel, deletedAt: null }',
  },
  {
    // eraseReferee and explain: { tenant, refereeRef }, soft-deleted leads too (so not partial).
    name: 'rf_lead_referee_all',
    keys: withTenantKey(tenant, { refereeRef: 1 }),
    serves: 'eraseReferee, explain: { tenant, refereeRef }',
  },
  {
    // listLeadsForReferrer: { tenant, referrerRef, deletedAt: null } newest first; eraseOwner: { tenant, referrerRef } (not partial).
    name: 'rf_lead_referrer_recent',
    keys: withTenantKey(tenant, { referrerRef: 1, createdAt: -1, _id: -1 }),
    serves: 'listLeadsForReferrer: { tenant, referrerRef } newest first, keyset on (createdAt, _id); eraseOwner',
  },
  {
    // listLeadsForReferrer with a status: { tenant, referrerRef, status, deletedAt: null } newest first.
    name: 'rf_lead_referrer_status_recent',
    keys: withTenantKey(tenant, { referrerRef: 1, status: 1, createdAt: -1, _id: -1 }),
    partialFilterExpression: { ...LIVE },
    serves: 'listLeadsForReferrer({ status }): { tenant, referrerRef, status } newest first',
  },
  {
    // stats.funnel by referrer: { tenant, referrerRef, referrerModel, signedUpAt: { $gte, $lt } }.
    name: 'rf_lead_referrer_signed_up',
    keys: withTenantKey(tenant, { referrerRef: 1, referrerModel: 1, signedUpAt: 1 }),
    serves: 'stats.funnel by referrer: { tenant, referrerRef, referrerModel, signedUpAt in [from, to) }',
  },
  {
    // stats.funnel by code: { tenant, codeId, signedUpAt: { $gte, $lt } }.
    name: 'rf_lead_code_signed_up',
    keys: withTenantKey(tenant, { codeId: 1, signedUpAt: 1 }),
    serves: 'stats.funnel by code: { tenant, codeId, signedUpAt in [from, to) }',
  },
  // The dashboards' catch-up: one referrer's changed leads (forReferrer, funnel).
  changedByReferrerIndex(tenant, 'lead'),
  // The relay: { unconfirmedAt: { $lte: cutoff } } across tenants; only undecided leads are in it.
  unconfirmedIndex('lead', 'leads'),
  pendingEventsIndex('lead'),
  parkedEventsIndex('lead'),
  actorsIndex(tenant, 'lead'),
];

export const buildLeadSchema = (tenant: ResolvedTenant, collection: string): Schema => {
  const schema = new Schema(
    {
      ...tenantPath(tenant),
      ...partyPaths,
      attribution: { type: Schema.Types.Mixed, required: true },
      status: { type: String, required: true, enum: ['signed_up', 'converted'] },
      signedUpAt: { type: Date, required: true },
      firstConvertedAt: { type: Date, default: null },
      firstReferralId: { type: Schema.Types.ObjectId, default: null },
      viaSale: { type: Boolean, required: true },
      metadata: { type: Schema.Types.Mixed, default: null },
      review: { type: Schema.Types.Mixed, default: null },
      deletedAt: { type: Date, default: null },
      unconfirmedAt: { type: Date },
      voidedReason: { type: String },
      erasedAt: { type: Date },
      referrerErasedAt: { type: Date },
      createdAt: { type: Date, required: true },
      updatedAt: { type: Date, required: true },
      ...changedAtPath,
      ...outboxPaths,
      ...actorsPath,
    },
    ownedSchemaOptions(collection),
  );
  applyIndexes(schema, leadIndexes(tenant));
  return schema;
};
