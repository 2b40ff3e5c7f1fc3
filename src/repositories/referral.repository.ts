import type { Types } from 'mongoose';
import { applyDecision, createChain } from '../approval/chain.js';
import type { ApprovalChainInput } from '../approval/types.js';
import type { ReferralContext } from '../core/context.js';
import { InvalidTransitionError, NotFoundError, ReferralError } from '../core/errors.js';
import type { Ref } from '../core/ids.js';
import type { EngineRuntime, TenantFilter } from '../engine/runtime.js';
import { REFERRAL_EVENTS } from '../events/names.js';
import type { ReferralDecision, ReferralRecord, ReferralReversal } from '../models/referral.model.js';
import { approvalChainInputSchema } from '../schemas/approval.js';
import {
  type ApproveInput,
  approveInputSchema,
  type ListForReferrerOptions,
  listForReferrerOptionsSchema,
  type RecordConversionInput,
  recordConversionInputSchema,
  type RejectInput,
  rejectInputSchema,
  type ReverseInput,
  reverseInputSchema,
} from '../schemas/inputs.js';
import { planReversal } from '../domain/reversal.js';
import { eraseRefereeRecords } from './erasure.js';
import { type AttributionExplanation, explainReferee } from './attribution.js';
import { parseInput } from '../schemas/parse.js';
import { objectIdSchema, refSchema } from '../schemas/primitives.js';
import { partiesPayload, writeConversion } from './conversion-writer.js';
import { afterPosition, decodeCursor, encodeCursor } from './list-cursor.js';
import { driverOptions, PUBLIC_PROJECTION, referralCollection } from './records.js';
import { resolveCode } from './code-resolver.js';
import { runTransition, type TransitionPlan } from './referral-transition.js';

export interface ReferralPage {
  items: ReferralRecord[];
  /** Pass as `after` for the next page; null on the last page. */
  next: string | null;
}

const decide = (current: ReferralRecord, to: 'approved' | 'rejected', decision: ReferralDecision): Omit<TransitionPlan, 'events'> => {
  if (current.status !== 'converted') throw new InvalidTransitionError(current.status, to);
  if (!current.approvals) return { set: { status: to, decidedAt: decision.decidedAt }, decision };
  const approvals = applyDecision(current.approvals, {
    approverId: decision.decidedBy,
    decision: to,
    at: decision.decidedAt,
    ...(decision.stepId ? { stepId: decision.stepId } : {}),
    ...(decision.note ? { note: decision.note } : decision.reason ? { note: decision.reason } : {}),
  });
  const settled = approvals.status === to;
  return { set: { approvals, ...(settled ? { status: to, decidedAt: decision.decidedAt } : {}) }, decision };
};

export class ReferralRepository {
  readonly #runtime: EngineRuntime;

  constructor(runtime: EngineRuntime) {
    this.#runtime = runtime;
  }

  /**
   * Records a converted referral for a sale, by `code` or by a named referrer. Idempotent per
   * sale (`sourceModel` + `sourceRef`): a replay returns the first record and emits nothing.
   */
  async recordConversion(input: RecordConversionInput, ctx?: ReferralContext): Promise<ReferralRecord> {
    const scope = this.#runtime.scope(ctx);
    const parsed = parseInput(recordConversionInputSchema, input, 'input');
    let referrer;
    if (parsed.code !== undefined) {
      const code = await resolveCode(this.#runtime, scope, parsed.code, ctx);
      if (!code) throw new NotFoundError('code_not_found', 'No active referral code with that value in this tenant');
      referrer = { ref: code.ownerRef, model: code.ownerModel, codeId: code.codeId, code: code.code, maxConversions: code.maxConversions, attribution: { rule: 'code' as const } };
    } else {
      referrer = { ref: parsed.referrerRef as Ref, model: parsed.referrerModel as string, codeId: null, code: null, attribution: { rule: 'named_referrer' as const } };
    }
    const outcome = await writeConversion(this.#runtime, scope, referrer, parsed, ctx);
    if ('recorded' in outcome) return outcome.recorded;
    if (outcome.refused === 'code_limit_reached') throw new ReferralError('code_limit_reached', 'The referral code has no conversions left', 409);
    throw new NotFoundError('code_not_found', 'The referral code was deactivated while the sale was recorded');
  }

  /** The live referral with this id in this tenant, or null. */
  async findById(id: string | Types.ObjectId, ctx?: ReferralContext): Promise<ReferralRecord | null> {
    const scope = this.#runtime.scope(ctx);
    const _id = parseInput(objectIdSchema, id, 'id');
    // query: referral.byId
    return referralCollection(this.#runtime).findOne({ ...scope, _id, deletedAt: null }, { projection: PUBLIC_PROJECTION, ...driverOptions(ctx) });
  }

  /**
   * Records an approval. Without a chain it decides at once; with one it is recorded on the
   * active step, and the referral becomes `approved` (emitting `referral:approved` once) when
   * the chain does.
   */
  async approve(id: string | Types.ObjectId, input: ApproveInput, ctx?: ReferralContext): Promise<ReferralRecord> {
    const scope = this.#runtime.scope(ctx);
    const _id = parseInput(objectIdSchema, id, 'id');
    const parsed = parseInput(approveInputSchema, input, 'input');
    const decision: ReferralDecision = { action: 'approve', decidedBy: String(parsed.decidedBy), decidedAt: new Date(), ...(parsed.note ? { note: parsed.note } : {}), ...(parsed.stepId ? { stepId: parsed.stepId } : {}) };
    return this.#settle(scope, _id, 'approved', decision, ctx);
  }

  /** Rejects a converted referral (recorded on the chain when there is one) and emits `referral:rejected`. */
  async reject(id: string | Types.ObjectId, input: RejectInput, ctx?: ReferralContext): Promise<ReferralRecord> {
    const scope = this.#runtime.scope(ctx);
    const _id = parseInput(objectIdSchema, id, 'id');
    const parsed = parseInput(rejectInputSchema, input, 'input');
    const decision: ReferralDecision = { action: 'reject', decidedBy: String(parsed.decidedBy), decidedAt: new Date(), reason: parsed.reason, ...(parsed.stepId ? { stepId: parsed.stepId } : {}) };
    return this.#settle(scope, _id, 'rejected', decision, ctx);
  }

  /** Records an approve or reject decision; emits `referral:approved` / `referral:rejected` once the referral settles. */
  #settle(scope: TenantFilter, _id: Types.ObjectId, to: 'approved' | 'rejected', decision: ReferralDecision, ctx: ReferralContext | undefined): Promise<ReferralRecord> {
    const { publisher } = this.#runtime;
    return runTransition(this.#runtime, scope, _id, ctx, (current) => {
      const plan = decide(current, to, decision);
      if (plan.set.status !== to) return { ...plan, events: [] };
      const base = { ...partiesPayload(current), decidedBy: decision.decidedBy, decidedAt: decision.decidedAt.toISOString() };
      const options = { resource: 'referral' as const, resourceId: String(current._id), change: to };
      const event =
        to === 'approved'
          ? publisher.build(REFERRAL_EVENTS.approved, { ...base, status: 'approved', ...(decision.note ? { note: decision.note } : {}) }, ctx, options)
          : publisher.build(REFERRAL_EVENTS.rejected, { ...base, status: 'rejected', reason: decision.reason as string }, ctx, options);
      return { ...plan, events: [event] };
    });
  }

  /**
   * Records a refund or chargeback. Idempotent per `refundKey`; partial amounts add up to at
   * most the sale's `metadata.amount`; the referral becomes `reversed` once nothing is left.
   * Emits `referral:reversed` for each new reversal.
   */
  async reverse(id: string | Types.ObjectId, input: ReverseInput, ctx?: ReferralContext): Promise<ReferralRecord> {
    const scope = this.#runtime.scope(ctx);
    const _id = parseInput(objectIdSchema, id, 'id');
    const parsed = parseInput(reverseInputSchema, input, 'input');
    const { publisher } = this.#runtime;
    const reversedBy = ctx?.actorId ? String(ctx.actorId) : 'system';
    return runTransition(this.#runtime, scope, _id, ctx, (current) => {
      const outcome = planReversal(current, parsed.refundKey, parsed.amount);
      if (outcome.kind === 'replay') return null;
      const at = new Date();
      const status = outcome.fully ? 'reversed' : current.status;
      const reversal: ReferralReversal = { refundKey: parsed.refundKey, reason: parsed.reason, ...(outcome.amount === undefined ? {} : { amount: outcome.amount }), reversedBy, reversedAt: at };
      const event = publisher.build(
        REFERRAL_EVENTS.reversed,
        {
          ...partiesPayload(current),
          status: status as 'converted' | 'approved' | 'reversed',
          refundKey: parsed.refundKey,
          reason: parsed.reason,
          ...(outcome.amount === undefined ? {} : { amount: outcome.amount }),
          ...(outcome.reversedAmount === undefined ? {} : { reversedAmount: outcome.reversedAmount }),
          ...(outcome.convertedAmount === undefined ? {} : { convertedAmount: outcome.convertedAmount }),
          fullyReversed: outcome.fully,
          reversedBy,
          reversedAt: at.toISOString(),
        },
        ctx,
        { resource: 'referral', resourceId: String(current._id), change: `reversed:${parsed.refundKey}` },
      );
      return {
        set: { status, ...(outcome.reversedAmount === undefined ? {} : { reversedAmount: outcome.reversedAmount }) },
        reversal,
        decision: { action: 'reverse', decidedBy: reversedBy, decidedAt: at, reason: parsed.reason },
        events: [event],
      };
    });
  }

  /** Replaces the approval chain of a referral still under review (status `converted`). */
  async updateApprovals(id: string | Types.ObjectId, chainInput: ApprovalChainInput, ctx?: ReferralContext): Promise<ReferralRecord> {
    const scope = this.#runtime.scope(ctx);
    const _id = parseInput(objectIdSchema, id, 'id');
    const approvals = createChain(parseInput(approvalChainInputSchema, chainInput, 'chain'));
    const decision: ReferralDecision = { action: 'update_approvals', decidedBy: ctx?.actorId ? String(ctx.actorId) : 'system', decidedAt: new Date() };
    return runTransition(this.#runtime, scope, _id, ctx, (current) => {
      if (current.status !== 'converted') throw new InvalidTransitionError(current.status, 'converted');
      return { set: { approvals }, decision, events: [] };
    });
  }

  /**
   * Why a referee's sales went where they did: the attribution policy, the referee's lifetime
   * binding (if any), their referrals with the rule that decided each, and the touches behind them.
   */
  async explain(refereeRef: Ref, ctx?: ReferralContext): Promise<AttributionExplanation> {
    const scope = this.#runtime.scope(ctx);
    return explainReferee(this.#runtime, scope, parseInput(refSchema, refereeRef, 'refereeRef'), ctx);
  }

  /**
   * Erasure request for a referee: every referral of theirs (live or soft-deleted) gets a
   * one-way stand-in for `refereeRef` and loses `metadata`; statuses and counts stay.
   */
  async eraseReferee(refereeRef: Ref, ctx?: ReferralContext): Promise<{ erased: number }> {
    const scope = this.#runtime.scope(ctx);
    const ref = parseInput(refSchema, refereeRef, 'refereeRef');
    return { erased: await eraseRefereeRecords(this.#runtime, scope, ref, ctx) };
  }

  /** A referrer's referrals, newest first, by keyset pagination (no skip). */
  async listForReferrer(referrerRef: Ref, options: ListForReferrerOptions = {}, ctx?: ReferralContext): Promise<ReferralPage> {
    const scope = this.#runtime.scope(ctx);
    const ref = parseInput(refSchema, referrerRef, 'referrerRef');
    const { status, limit, after } = parseInput(listForReferrerOptionsSchema, options, 'options');
    const filter = { ...scope, referrerRef: ref, deletedAt: null, ...(status ? { status } : {}), ...(after ? afterPosition(decodeCursor(after)) : {}) };
    // query: referral.byReferrer
    const docs = await referralCollection(this.#runtime)
      .find(filter, { sort: { createdAt: -1, _id: -1 }, limit: limit + 1, projection: PUBLIC_PROJECTION, ...driverOptions(ctx) })
      .toArray();
    const items = docs.slice(0, limit);
    const last = items.at(-1);
    return { items, next: docs.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last._id }) : null };
  }
}
