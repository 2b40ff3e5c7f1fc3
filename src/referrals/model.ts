import { Schema, type Types } from 'mongoose';
import type { ApprovalChain } from '../approval/types.js';
import type { GuardVerdict } from '../guards/types.js';
import type { ReferralDraft } from '../kernel/draft.js';
import { type ResolvedTenant, withTenantKey } from '../kernel/tenant.js';
import {
  actorsIndex,
  actorsPath,
  applyIndexes,
  changedByReferrerIndex,
  changedIndex,
  type IndexDeclaration,
  LIVE,
  parkedEventsIndex,
  pendingEventsIndex,
  unconfirmedIndex,
} from '../store/index-declaration.js';
import { outboxPaths } from '../store/outbox/fields.js';
import { changedAtPath, ownedSchemaOptions, tenantPath } from '../store/schema-parts.js';
import type { ReferralAttribution } from './referrer.js';
import type { Awaiting } from './review-state.js';
import type { DecisionAction } from './status.js';
import { REFERRAL_STATUSES, type ReferralStatus } from './status.js';

/** One entry per review action, kept forever on the record (who, when, why). */
export interface ReferralDecision {
  action: DecisionAction;
  decidedBy: string;
  decidedAt: Date;
  stepId?: string;
  note?: string;
  reason?: string;
  /** The `ctx.idempotencyKey` of the call that made it: a retry with the same key gets the record as stored. */
  idempotencyKey?: string;
}

/** One refund or chargeback against a referral, idempotent per `refundKey`. */
export interface ReferralReversal {
  refundKey: string;
  reason: string;
  /** Minor units reversed, in the sale's currency; absent for a full reversal of a sale without an amount. */
  amount?: number;
  reversedBy: string;
  reversedAt: Date;
}

/** The stored referral: the draft's parties, code and metadata, plus its lifecycle. */
export interface ReferralRecord extends ReferralDraft {
  _id: Types.ObjectId;
  organizationId?: Types.ObjectId | string;
  codeId: Types.ObjectId | null;
  status: ReferralStatus;
  /** The rule that attributed the sale (code, first/last touch, lifetime binding, named referrer). */
  attribution?: ReferralAttribution | null;
  /** The fraud-guard verdict, when guards are configured (`review.flagged`, `review.rules`). */
  review?: GuardVerdict | null;
  /** The review gate; null means a single approve or reject decides. */
  approvals: ApprovalChain | null;
  /** In the review queue (an open chain or a flag holds it) while `converted`; see listAwaitingReview. */
  reviewRequired?: true;
  /** The active steps and their approvers the queue files it under. */
  awaiting?: Awaiting;
  /** With `review.holdDays`: when settleHeld may approve it (null once a chain was given to it). */
  holdUntil?: Date | null;
  decisions: ReferralDecision[];
  /** Refunds and chargebacks recorded against the sale. */
  reversals?: ReferralReversal[];
  /** Sum of `reversals[].amount` in minor units; never more than `amount`. */
  reversedAmount?: number;
  /** Bumped by every change; transitions are conditional on the version they read. */
  version: number;
  convertedAt: Date;
  decidedAt: Date | null;
  deletedAt: Date | null;
  /** Set when the referee was erased (refereeRef is then a one-way stand-in). */
  erasedAt?: Date;
  /** A capped code's slot this sale took (0-based; unique per code among live referrals). */
  slot?: number;
  /** Present while a new sale is not decided yet (it is not live meanwhile: `deletedAt` is set). */
  unconfirmedAt?: Date;
  /** Why the engine voided a sale that never stood: its code refused it, its referrer is suspended, or it was abandoned undecided. */
  voidedReason?: 'code_deactivated' | 'code_expired' | 'code_limit_reached' | 'referrer_suspended' | 'abandoned';
  /** Set when the referrer (a code owner) was erased: `referrerRef` is their stand-in. */
  referrerErasedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** The write path's own indexes: the cap's slots, undecided sales, the outbox, and who acted. */
const bookkeepingIndexes = (tenant: ResolvedTenant): IndexDeclaration[] => [
  {
    // A capped code's cap: { tenant, codeId, slot } unique among live referrals, so a slot is taken once.
    name: 'rf_referral_code_slot_unique',
    keys: withTenantKey(tenant, { codeId: 1, slot: 1 }),
    unique: true,
    partialFilterExpression: { ...LIVE, slot: { $exists: true } },
    serves: 'the cap of a capped code: one live referral per { tenant, codeId, slot }',
  },
  // The relay: { unconfirmedAt: { $lte: cutoff } } across tenants; only undecided sales are in it.
  unconfirmedIndex('referral', 'sales'),
  pendingEventsIndex('referral'),
  parkedEventsIndex('referral'),
  actorsIndex(tenant, 'referral'),
];

/** The review gate's indexes: the queue of referrals awaiting a decision, and holds coming due. */
const reviewIndexes = (tenant: ResolvedTenant): IndexDeclaration[] => [
  {
    // listAwaitingReview: { tenant, status: 'converted', reviewRequired: true } oldest first, keyset on (convertedAt, _id).
    name: 'rf_referral_review_queue',
    keys: withTenantKey(tenant, { status: 1, convertedAt: 1, _id: 1 }),
    partialFilterExpression: { reviewRequired: true },
    serves: 'listAwaitingReview: { tenant, status: converted, reviewRequired: true } oldest first, keyset on (convertedAt, _id)',
  },
  {
    // settleHeld: { tenant, status: 'converted', holdUntil: { $lte: now } } oldest hold first.
    name: 'rf_referral_hold_due',
    keys: withTenantKey(tenant, { status: 1, holdUntil: 1 }),
    partialFilterExpression: { holdUntil: { $exists: true } },
    serves: 'settleHeld: { tenant, status: converted, holdUntil <= now } oldest hold first',
  },
];

export const referralIndexes = (tenant: ResolvedTenant): IndexDeclaration[] => [
  {
    // recordConversion / attributeSale: { tenant, sourceModel, sourceRef, deletedAt: null }; one live referral per sale.
    name: 'rf_referral_source_unique',
    keys: withTenantKey(tenant, { sourceModel: 1, sourceRef: 1 }),
    unique: true,
    partialFilterExpression: { ...LIVE },
    serves: 'recordConversion, attributeSale: { tenant, sourceModel, sourceRef, deletedAt: null }',
  },
  {
    // listForReferrer / stats.forReferrer: { tenant, referrerRef, deletedAt: null } sorted { createdAt: -1, _id: -1 };
    // eraseOwner: { tenant, referrerRef } (voided records too, so not partial).
    name: 'rf_referral_referrer_recent',
    keys: withTenantKey(tenant, { referrerRef: 1, createdAt: -1, _id: -1 }),
    serves: 'listForReferrer, stats.forReferrer: { tenant, referrerRef } newest first, keyset on (createdAt, _id); eraseOwner: { tenant, referrerRef }',
  },
  {
    // listForReferrer with a status: { tenant, referrerRef, status, deletedAt: null } sorted { createdAt: -1, _id: -1 }.
    name: 'rf_referral_referrer_status_recent',
    keys: withTenantKey(tenant, { referrerRef: 1, status: 1, createdAt: -1, _id: -1 }),
    partialFilterExpression: { ...LIVE },
    serves: 'listForReferrer({ status }): { tenant, referrerRef, status } newest first, keyset on (createdAt, _id)',
  },
  {
    // referralLoopGuard { tenant, refereeRef, referrerRef, deletedAt: null } and eraseReferee
    // { tenant, refereeRef } (soft-deleted records too, so not partial).
    name: 'rf_referral_referee_pair',
    keys: withTenantKey(tenant, { refereeRef: 1, referrerRef: 1 }),
    serves: 'referralLoopGuard: { tenant, refereeRef, referrerRef }; eraseReferee: { tenant, refereeRef }',
  },
  {
    // stats.leaderboard: { tenant, convertedAt: { $gte, $lt }, deletedAt: null, status: { $in } }.
    name: 'rf_referral_converted_at',
    keys: withTenantKey(tenant, { convertedAt: 1 }),
    partialFilterExpression: { ...LIVE },
    serves: 'stats.leaderboard: { tenant, convertedAt in [from, to) }',
  },
  {
    // stats.funnel by code: { tenant, codeId, createdAt: { $gte, $lt } } (voided records are filtered after).
    name: 'rf_referral_code_recent',
    keys: withTenantKey(tenant, { codeId: 1, createdAt: -1 }),
    serves: 'stats.funnel by code: { tenant, codeId, createdAt in [from, to) }',
  },
  ...reviewIndexes(tenant),
  // The dashboards' catch-up: every referrer's changed sales (the leaderboard), one referrer's (forReferrer, funnel).
  changedIndex(tenant, 'referral'),
  changedByReferrerIndex(tenant, 'referral'),
  ...bookkeepingIndexes(tenant),
];

const decisionSchema = new Schema(
  {
    action: { type: String, required: true },
    decidedBy: { type: String, required: true },
    decidedAt: { type: Date, required: true },
    stepId: String,
    note: String,
    reason: String,
    idempotencyKey: String,
  },
  { _id: false },
);

/** Who referred whom and through which code, as every attribution record (referral, lead, binding) stores it. */
export const partyPaths = {
  referrerRef: { type: Schema.Types.Mixed, required: true },
  referrerModel: { type: String, required: true },
  refereeRef: { type: Schema.Types.Mixed, required: true },
  refereeModel: { type: String, required: true },
  codeId: { type: Schema.Types.ObjectId, default: null },
  code: { type: String, default: null },
} as const;

export const buildReferralSchema = (tenant: ResolvedTenant, collection: string): Schema => {
  const schema = new Schema(
    {
      ...tenantPath(tenant),
      ...partyPaths,
      sourceRef: { type: Schema.Types.Mixed, required: true },
      sourceModel: { type: String, required: true },
      amount: { type: Number, default: null },
      currency: { type: String, default: null },
      status: { type: String, required: true, enum: [...REFERRAL_STATUSES] },
      metadata: { type: Schema.Types.Mixed, default: null },
      approvals: { type: Schema.Types.Mixed, default: null },
      reviewRequired: { type: Boolean },
      awaiting: { type: Schema.Types.Mixed },
      holdUntil: { type: Date },
      review: { type: Schema.Types.Mixed, default: null },
      attribution: { type: Schema.Types.Mixed, default: null },
      decisions: { type: [decisionSchema], default: [] },
      reversals: { type: [Schema.Types.Mixed], default: undefined },
      reversedAmount: { type: Number },
      version: { type: Number, required: true, default: 0 },
      convertedAt: { type: Date, required: true },
      decidedAt: { type: Date, default: null },
      deletedAt: { type: Date, default: null },
      /** Why a referral was voided (soft-deleted by the engine), e.g. `code_deactivated`. */
      voidedReason: { type: String },
      erasedAt: { type: Date },
      slot: { type: Number },
      unconfirmedAt: { type: Date },
      referrerErasedAt: { type: Date },
      createdAt: { type: Date, required: true },
      updatedAt: { type: Date, required: true },
      ...changedAtPath,
      ...outboxPaths,
      ...actorsPath,
    },
    ownedSchemaOptions(collection),
  );
  applyIndexes(schema, referralIndexes(tenant));
  return schema;
};
