import { Types } from 'mongoose';
import { chainFor } from '../approval/normalize.js';
import { approvalChainInputSchema } from '../approval/schema.js';
import { confirmConversion, type Refusal } from '../codes/slots.js';
import type { DomainEvent } from '../events/types.js';
import { runGuards } from '../guards/pipeline.js';
import type { GuardContext, IdentitySignals } from '../guards/types.js';
import type { ReferralDraft } from '../kernel/draft.js';
import { translateDuplicate } from '../kernel/duplicate-key.js';
import { FraudRejectedError, SelfReferralError } from '../kernel/errors.js';
import { type Ref, refEquals } from '../kernel/ids.js';
import { parseInput } from '../kernel/validation.js';
import { insertIfAbsentWithEvents } from '../store/evented-write.js';
import type { CallScope } from '../store/scope.js';
import { type ReferralDeps, referralCollection } from './deps.js';
import { conversionEvents } from './events.js';
import type { ReferralRecord } from './model.js';
import type { Referrer } from './referrer.js';
import { answerReplay } from './replay.js';
import { assertTransition } from './status.js';

/** A recorded referral (`created` false for a replay), or why the code could not take this sale. */
export type ConversionOutcome = { recorded: ReferralRecord; created: boolean } | { refused: Refusal };

export interface ConversionParties {
  refereeRef: Ref;
  refereeModel: string;
  sourceRef: Ref;
  sourceModel: string;
  metadata?: Record<string, unknown> | undefined;
  signals?: IdentitySignals | undefined;
}

/** What one new sale would write: the record and the events it carries. */
interface ConversionPlan {
  doc: Record<string, unknown> & { _id: Types.ObjectId };
  sourceRef: Ref;
  sourceModel: string;
  events: DomainEvent[];
}

export const isSelfReferral = (referrer: Pick<Referrer, 'ref' | 'model'>, parties: Pick<ConversionParties, 'refereeRef' | 'refereeModel'>): boolean =>
  referrer.model === parties.refereeModel && refEquals(referrer.ref, parties.refereeRef);

const reviewChain = (deps: ReferralDeps, draft: ReferralDraft) => {
  const input = deps.review?.chain?.(draft);
  return input ? chainFor(parseInput(approvalChainInputSchema, input, 'review.chain()'), draft) : null;
};

export const guardContext = (deps: ReferralDeps, scope: CallScope): GuardContext => ({
  ctx: scope.ctx,
  hasReferral: async ({ referrerRef, refereeRef }) =>
    // query: referral.byPair
    (await referralCollection(deps).findOne(scope.live({ refereeRef, referrerRef }), { projection: { _id: 1 }, ...scope.options })) !== null,
});

/** Self-referral, guards and review chain decide; the result is what the upsert would insert. */
const planConversion = async (deps: ReferralDeps, scope: CallScope, referrer: Referrer, parties: ConversionParties): Promise<ConversionPlan> => {
  if (isSelfReferral(referrer, parties)) throw new SelfReferralError();
  const { now } = scope;
  const _id = new Types.ObjectId();
  const { sourceRef, sourceModel, refereeRef, refereeModel } = parties;
  const draft: ReferralDraft = {
    referrerRef: referrer.ref,
    referrerModel: referrer.model,
    refereeRef,
    refereeModel,
    sourceRef,
    sourceModel,
    code: referrer.code,
    metadata: parties.metadata ?? null,
  };
  const verdict = deps.guards.length > 0 ? await runGuards(deps.guards, { ...draft, signals: parties.signals ?? {} }, guardContext(deps, scope)) : null;
  if (verdict?.outcome === 'reject') throw new FraudRejectedError(verdict.rules);
  const approvals = reviewChain(deps, draft);
  const events = conversionEvents(
    deps.referrals.publisher,
    { draft: { _id, ...draft }, referrer, underReview: approvals !== null, verdict, at: now },
    scope.ctx,
  );
  const { sourceRef: _s, sourceModel: _m, ...insertOnly } = draft;
  const doc = {
    _id,
    ...insertOnly,
    codeId: referrer.codeId,
    status: 'converted',
    approvals,
    review: verdict,
    attribution: referrer.attribution,
    decisions: [],
    version: 0,
    convertedAt: now,
    decidedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  return { doc, sourceRef, sourceModel, events };
};

/**
 * One upsert keyed by the partial-unique { tenant, sourceModel, sourceRef } index, with its
 * events. A replay matches the recorded sale and takes nothing from its code; only a new insert
 * claims its code's slot (and passes the deactivation fence), and a refused claim voids it.
 */
const commitConversion = async (
  deps: ReferralDeps,
  scope: CallScope,
  referrer: Referrer,
  plan: ConversionPlan,
  parties: ConversionParties,
): Promise<ConversionOutcome> => {
  let refusal: Refusal | null = null;
  const confirm = async () => {
    const refused = await confirmConversion(deps, scope, referrer);
    if (refused === null) return null;
    refusal = refused.refusal;
    assertTransition('converted', 'void');
    // The code was read before its owner was erased (another process's cache, or a race): the voided record keeps the stand-in, never the erased ref.
    const erasedOwner = refused.storedOwnerRef !== undefined && !refEquals(refused.storedOwnerRef, referrer.ref);
    return { deletedAt: scope.now, voidedReason: refusal, ...(erasedOwner ? { referrerRef: refused.storedOwnerRef } : {}) };
  };
  try {
    // query: referral.bySource
    const outcome = await insertIfAbsentWithEvents<ReferralRecord>(deps.referrals, scope, {
      filter: scope.live({ sourceModel: plan.sourceModel, sourceRef: plan.sourceRef }),
      raceKey: ['sourceModel', 'sourceRef'],
      doc: plan.doc,
      events: plan.events,
      confirm,
    });
    if (!outcome.inserted) return { recorded: answerReplay(outcome.doc, parties, referrer), created: false };
    return refusal === null ? { recorded: outcome.doc, created: true } : { refused: refusal };
  } catch (error) {
    throw translateDuplicate(error);
  }
};

/**
 * Records the sale once, carrying its `referral:converted` event in the same write. The first
 * attribution of a sale wins; replays return it unchanged and emit nothing. Refused when the
 * code was deactivated while the sale was being recorded, or has no conversions left.
 */
export const writeConversion = async (deps: ReferralDeps, scope: CallScope, referrer: Referrer, parties: ConversionParties): Promise<ConversionOutcome> =>
  commitConversion(deps, scope, referrer, await planConversion(deps, scope, referrer, parties), parties);
