import { Schema, type Types } from 'mongoose';
import type { Ref } from '../kernel/ids.js';
import { type ResolvedTenant, withTenantKey } from '../kernel/tenant.js';
import { applyIndexes, type IndexDeclaration } from '../store/index-declaration.js';
import { ownedSchemaOptions, tenantPath } from '../store/schema-parts.js';

/** The sales of one referrer's day that share a code, a status and a currency: counts and minor units. */
export interface SaleRow {
  codeId: Types.ObjectId | null;
  status: string;
  currency: string | null;
  sales: number;
  /** Sales whose amount is not 0 (a sale without an amount qualifies). */
  qualifying: number;
  gross: number;
  reversed: number;
}

/** The leads of one referrer's day through one code: how many signed up, and how many of those have bought. */
export interface LeadRow {
  codeId: Types.ObjectId | null;
  leads: number;
  converted: number;
}

/**
 * One referrer's UTC day (`day` set: its live sales by `createdAt`, its live leads by `signedUpAt`,
 * exact for every change stamped before `asOf`), or a watermark (`day` and `referrerModel` null):
 * every day of the ref under any model (or, with `referrerRef: null`, every referrer's sales of the
 * tenant) reflects each change stamped before `through`.
 */
export interface ReferralRollupRecord {
  _id: Types.ObjectId;
  organizationId?: Types.ObjectId | string;
  referrerRef: Ref | null;
  referrerModel: string | null;
  day: Date | null;
  sales?: SaleRow[];
  leads?: LeadRow[];
  asOf?: Date;
  through?: Date;
}

/** `rf_rollup_day` first: for `{ tenant, day }` alone the planner then prefers it over the unique key, whose day sits behind two unbound fields. */
export const rollupIndexes = (tenant: ResolvedTenant): IndexDeclaration[] => [
  {
    // stats.leaderboard: { tenant, day: { $gte, $lt } }, every referrer's rollups of the window's days.
    name: 'rf_rollup_day',
    keys: withTenantKey(tenant, { day: 1 }),
    serves: 'stats.leaderboard: { tenant, day in [from, to) }',
  },
  {
    // stats.forReferrer { tenant, referrerRef }, funnel { tenant, referrerRef, referrerModel, day in [from, to) }, watermarks (day null).
    name: 'rf_rollup_unique',
    keys: withTenantKey(tenant, { referrerRef: 1, referrerModel: 1, day: 1 }),
    unique: true,
    serves: 'stats.forReferrer, stats.funnel, eraseOwner: { tenant, referrerRef, referrerModel?, day in [from, to) or null }; one rollup per referrer day',
  },
];

const saleRowSchema = new Schema<SaleRow>(
  {
    codeId: { type: Schema.Types.ObjectId, default: null },
    status: String,
    currency: { type: String, default: null },
    sales: Number,
    qualifying: Number,
    gross: Number,
    reversed: Number,
  },
  { _id: false },
);

const leadRowSchema = new Schema<LeadRow>({ codeId: { type: Schema.Types.ObjectId, default: null }, leads: Number, converted: Number }, { _id: false });

export const buildRollupSchema = (tenant: ResolvedTenant, collection: string): Schema => {
  const schema = new Schema(
    {
      ...tenantPath(tenant),
      referrerRef: { type: Schema.Types.Mixed, default: null },
      referrerModel: { type: String, default: null },
      day: { type: Date, default: null },
      sales: { type: [saleRowSchema], default: undefined },
      leads: { type: [leadRowSchema], default: undefined },
      asOf: Date,
      through: Date,
    },
    ownedSchemaOptions(collection),
  );
  applyIndexes(schema, rollupIndexes(tenant));
  return schema;
};
