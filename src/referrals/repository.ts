import type { Types } from 'mongoose';
import { approvalChainInputSchema } from '../approval/schema.js';
import type { ApprovalChain, CreateChainInput } from '../approval/types.js';
import type { ReferralContext } from '../kernel/context.js';
import type { Ref } from '../kernel/ids.js';
import { objectIdSchema, refSchema } from '../kernel/ids.js';
import { parseInput } from '../kernel/input.js';
import type { CallScope } from '../store/scope.js';
import type { ReferralDeps } from './deps.js';
import { type SettleHeldOptions, settleHeld, settleHeldOptionsSchema } from './hold.js';
import {
  type ApproveInput,
  approveInputSchema,
  type ListForReferrerOptions,
  listForReferrerOptionsSchema,
  type RecordConversionInput,
  type RejectInput,
  type ReverseInput,
  rejectInputSchema,
  reverseInputSchema,
} from './inputs.js';
import { listReferrals, type ReferralPage } from './listing.js';
import type { ReferralDecision, ReferralRecord } from './model.js';
import { reverseReferral } from './reversal.js';
import { replaceApprovals, settleReferral } from './review.js';
import { listAwaitingReview, type ReviewQueueOptions, reviewQueueOptionsSchema } from './review-queue.js';
import { DECISION_ACTIONS } from './status.js';

/** Verbs that span concepts (attribution, erasure); the engine supplies them. */
export interface ReferralServices<Explanation> {
  /** The sale path shared with checkout (attribution/checkout.ts). */
  recordConversion(scope: CallScope, input: RecordConversionInput): Promise<ReferralRecord>;
  explain(scope: CallScope, refereeRef: Ref): Promise<Explanation>;
  erase(scope: CallScope, refereeRef: Ref): Promise<number>;
}

const decidedBy = (scope: CallScope): string => (scope.ctx.actorId ? String(scope.ctx.actorId) : 'system');

/** The referral verbs: each opens its call scope, validates its input, then delegates. */
export class ReferralRepository<Explanation = unknown> {
  readonly #deps: ReferralDeps;
  readonly #services: ReferralServices<Explanation>;

  constructor(deps: ReferralDeps, services: ReferralServices<Explanation>) {
    this.#deps = deps;
    this.#services = services;
  }

  /**
   * Records a converted referral for a sale, by `code` or by a named referrer. Idempotent per
   * sale (`sourceModel` + `sourceRef`): a replay returns the first record and emits nothing.
   */
  async recordConversion(input: RecordConversionInput, ctx: ReferralContext): Promise<ReferralRecord> {
    return this.#services.recordConversion(this.#deps.open(ctx), input);
  }

  /** The live referral with this id in this tenant, or null. */
  async findById(id: string | Types.ObjectId, ctx: ReferralContext): Promise<ReferralRecord | null> {
    const scope = this.#deps.open(ctx, 'read');
    const _id = parseInput(objectIdSchema, id, 'id');
    // query: referral.byId
    return this.#deps.referrals.findOne(scope.live({ _id }), scope.read);
  }

  /**
   * Records an approval. Without a chain it decides at once; with one it is recorded on the
   * active step, and the referral becomes `approved` (emitting `referral:approved` once) when
   * the chain does.
   */
  async approve(id: string | Types.ObjectId, input: ApproveInput, ctx: ReferralContext): Promise<ReferralRecord> {
    const scope = this.#deps.open(ctx);
    const _id = parseInput(objectIdSchema, id, 'id');
    const parsed = parseInput(approveInputSchema, input, 'input');
    const decision: ReferralDecision = {
      action: 'approve',
      decidedBy: String(parsed.decidedBy),
      decidedAt: scope.now,
      ...(parsed.note ? { note: parsed.note } : {}),
      ...(parsed.stepId ? { stepId: parsed.stepId } : {}),
    };
    return settleReferral(this.#deps, scope, _id, 'approved', decision);
  }

  /** Rejects a converted referral (recorded on the chain when there is one) and emits `referral:rejected`. */
  async reject(id: string | Types.ObjectId, input: RejectInput, ctx: ReferralContext): Promise<ReferralRecord> {
    const scope = this.#deps.open(ctx);
    const _id = parseInput(objectIdSchema, id, 'id');
    const parsed = parseInput(rejectInputSchema, input, 'input');
    const decision: ReferralDecision = {
      action: 'reject',
      decidedBy: String(parsed.decidedBy),
      decidedAt: scope.now,
      reason: parsed.reason,
      ...(parsed.stepId ? { stepId: parsed.stepId } : {}),
    };
    return settleReferral(this.#deps, scope, _id, 'rejected', decision);
  }

  /**
   * Records a refund or chargeback. Idempotent per `refundKey`; partial amounts add up to at
   * most the sale's `amount` (minor units, its currency); the referral becomes `reversed` once nothing is left.
   * Emits `referral:reversed` for each new reversal.
   */
  async reverse(id: string | Types.ObjectId, input: ReverseInput, ctx: ReferralContext): Promise<ReferralRecord> {
    const scope = this.#deps.open(ctx);
    const _id = parseInput(objectIdSchema, id, 'id');
    return reverseReferral(this.#deps, scope, _id, parseInput(reverseInputSchema, input, 'input'));
  }

  /** Replaces the approval chain of a referral still under review (status `converted`). */
  async updateApprovals(id: string | Types.ObjectId, chainInput: CreateChainInput | ApprovalChain, ctx: ReferralContext): Promise<ReferralRecord> {
    const scope = this.#deps.open(ctx);
    const _id = parseInput(objectIdSchema, id, 'id');
    const chain = parseInput(approvalChainInputSchema, chainInput, 'chain');
    return replaceApprovals(this.#deps, scope, _id, chain, { action: DECISION_ACTIONS.updateApprovals, decidedBy: decidedBy(scope), decidedAt: scope.now });
  }

  /**
   * Why a referee's sales went where they did: the attribution policy, the referee's lifetime
   * binding (if any), their referrals with the rule that decided each, and the touches behind them.
   */
  async explain(refereeRef: Ref, ctx: ReferralContext): Promise<Explanation> {
    const scope = this.#deps.open(ctx, 'read');
    return this.#services.explain(scope, parseInput(refSchema, refereeRef, 'refereeRef'));
  }

  /**
   * Erasure request for a referee: every referral of theirs (live or soft-deleted) gets a
   * one-way stand-in for `refereeRef` and loses `metadata`; statuses and counts stay.
   */
  async eraseReferee(refereeRef: Ref, ctx: ReferralContext): Promise<{ erased: number }> {
    const scope = this.#deps.open(ctx);
    return { erased: await this.#services.erase(scope, parseInput(refSchema, refereeRef, 'refereeRef')) };
  }

  /**
   * Referrals awaiting a decision across referrers (an open approval chain or a fraud flag), oldest
   * first: `{ flagged?, step?, approver?, convertedBefore?, limit?, after? }`. Keyset pagination on
   * an index that holds only the queue.
   */
  async listAwaitingReview(options: ReviewQueueOptions = {}, ctx: ReferralContext): Promise<ReferralPage> {
    const scope = this.#deps.open(ctx, 'read');
    return listAwaitingReview(this.#deps, scope, parseInput(reviewQueueOptionsSchema, options, 'options'));
  }

  /**
   * With `review.holdDays`: approves, once each, the referrals whose hold passed and that no flag
   * or chain holds (`decidedBy: 'system:hold'`, `referral:approved`). Safe from several schedulers at once.
   */
  async settleHeld(options: SettleHeldOptions = {}, ctx: ReferralContext): Promise<{ settled: number }> {
    const scope = this.#deps.open(ctx);
    return settleHeld(this.#deps, scope, parseInput(settleHeldOptionsSchema, options, 'options'));
  }

  /** A referrer's referrals, newest first, by keyset pagination (no skip). */
  async listForReferrer(referrerRef: Ref, options: ListForReferrerOptions = {}, ctx: ReferralContext): Promise<ReferralPage> {
    const scope = this.#deps.open(ctx, 'read');
    const ref = parseInput(refSchema, referrerRef, 'referrerRef');
    return listReferrals(this.#deps, scope, ref, parseInput(listForReferrerOptionsSchema, options, 'options'));
  }
}
