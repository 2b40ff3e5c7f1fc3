import { Types } from 'mongoose';
import { chainFor } from '../approval/normalize.js';
import { approvalChainInputSchema } from '../approval/schema.js';
import { countSlot } from '../codes/slots.js';
import type { DomainEvent } from '../events/types.js';
import { runGuards } from '../guards/pipeline.js';
import type { GuardContext, GuardVerdict, IdentitySignals } from '../guards/types.js';
import type { ReferralDraft } from '../kernel/draft.js';
import { FraudRejectedError, SelfReferralError } from '../kernel/errors.js';
import { type Ref, refEquals } from '../kernel/ids.js';
import { parseInput } from '../kernel/input.js';
import { isQualifying } from '../money/schema.js';
import type { RaceRule } from '../store/operations.js';
import type { CallScope } from '../store/scope.js';
import type { ReferralDeps } from './deps.js';
import { conversionEvents } from './events.js';
import { type FenceRefusal, fence } from './fence.js';
import type { ReferralRecord } from './model.js';
import type { Referrer } from './referrer.js';
import { answerReplay } from './replay.js';
import { holdFields, queueFields } from './review-state.js';

/**
 * The source index has a condition (`deletedAt: null`), so mongod does not retry a lost insert
 * race itself: it answers E11000, and the upsert is sent again to match the winner's record.
 */
const SOURCE_RACE: RaceRule[] = [{ on: { keys: [['sourceModel', 'sourceRef']] }, retries: 2 }];

/** A recorded referral (`created` false for a replay), or why the code could not take this sale. */
export type ConversionOutcome = { recorded: ReferralRecord; created: boolean } | { refused: FenceRefusal };

export interface ConversionParties {
  refereeRef: Ref;
  refereeModel: string;
  sourceRef: Ref;
  sourceModel: string;
  amount?: number | undefined;
  currency?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
  signals?: IdentitySignals | undefined;
}

/** The one way a sale or a signup becomes the draft its guards and review hooks see. */
export const draftOf = (referrer: Pick<Referrer, 'ref' | 'model' | 'code'>, parties: ConversionParties): ReferralDraft => ({
  referrerRef: referrer.ref,
  referrerModel: referrer.model,
  refereeRef: parties.refereeRef,
  refereeModel: parties.refereeModel,
  sourceRef: parties.sourceRef,
  sourceModel: parties.sourceModel,
  code: referrer.code,
  amount: parties.amount ?? null,
  currency: parties.currency ?? null,
  metadata: parties.metadata ?? null,
});

/** What one new sale would write: the record and the events it carries. */
interface ConversionPlan {
  doc: Record<string, unknown> & { _id: Types.ObjectId };
  sourceRef: Ref;
  sourceModel: string;
  events: DomainEvent[];
}

const guardContext = (deps: ReferralDeps, scope: CallScope): GuardContext => ({
  ctx: scope.ctx,
  hasReferral: async ({ referrerRef, refereeRef }) =>
    // query: referral.byPair
    (await deps.referrals.findOne(scope.live({ refereeRef, referrerRef }), { projection: { _id: 1 }, ...scope.options })) !== null,
});

/**
 * The one step every referral and lead passes before it is recorded: self-referral is refused,
 * then the fraud guards decide (`reject` refuses; `flag` records it held for review). Returns the
 * guards' verdict, null when none are configured. A signup's draft has `sourceModel: 'Signup'`.
 */
export const admit = async (deps: ReferralDeps, scope: CallScope, draft: ReferralDraft, signals: IdentitySignals | undefined): Promise<GuardVerdict | null> => {
  if (draft.referrerModel === draft.refereeModel && refEquals(draft.referrerRef, draft.refereeRef)) throw new SelfReferralError();
  if (deps.guards.length === 0) return null;
  const verdict = await runGuards(deps.guards, { ...draft, signals: signals ?? {} }, guardContext(deps, scope));
  if (verdict?.outcome === 'reject') throw new FraudRejectedError(verdict.rules);
  return verdict;
};

const reviewChain = (deps: ReferralDeps, draft: ReferralDraft) => {
  const input = deps.review?.chain?.(draft);
  return input ? chainFor(parseInput(approvalChainInputSchema, input, 'review.chain()'), draft) : null;
};

/** Self-referral, guards (unless the caller ran them: `admitted`) and review chain decide; the result is what the upsert would insert. */
const planConversion = async (
  deps: ReferralDeps,
  scope: CallScope,
  referrer: Referrer,
  parties: ConversionParties,
  admitted: GuardVerdict | null | undefined,
): Promise<ConversionPlan> => {
  const { now } = scope;
  const _id = new Types.ObjectId();
  const draft = draftOf(referrer, parties);
  const verdict = admitted === undefined ? await admit(deps, scope, draft, parties.signals) : admitted;
  const approvals = reviewChain(deps, draft);
  const events = conversionEvents({ draft: { _id, ...draft }, referrer, underReview: approvals !== null, verdict, at: now }, scope.ctx);
  const { sourceRef: _s, sourceModel: _m, ...insertOnly } = draft;
  const doc = {
    _id,
    ...insertOnly,
    codeId: referrer.codeId,
    status: 'converted',
    approvals,
    review: verdict,
    attribution: referrer.attribution,
    ...queueFields(approvals, verdict?.flagged === true),
    ...holdFields(deps.review?.holdDays, approvals !== null || verdict?.flagged === true, now),
    decisions: [],
    version: 0,
    convertedAt: now,
    decidedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  return { doc, sourceRef: draft.sourceRef, sourceModel: draft.sourceModel, events };
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
  const write = {
    collection: deps.referrals,
    match: { sourceModel: plan.sourceModel, sourceRef: plan.sourceRef },
    among: 'live' as const,
    doc: plan.doc,
    events: plan.events,
    decide: fence(deps, scope, referrer, { takesSlot: isQualifying(parties) }),
  };
  // query: referral.bySource
  const outcome = await deps.writes.insert<ReferralRecord>(scope, write, SOURCE_RACE);
  if (!outcome.inserted) return { recorded: answerReplay(outcome.doc, parties, referrer), created: false };
  if (outcome.voided) return { refused: outcome.voided.voidedReason as FenceRefusal };
  if (outcome.doc.slot !== undefined && referrer.codeId) await countSlot(deps, scope, referrer.codeId, outcome.doc.slot);
  return { recorded: outcome.doc, created: true };
};

/**
 * Records the sale once, carrying its `referral:converted` event in the same write. The first
 * attribution of a sale wins; replays return it unchanged and emit nothing. Refused when the
 * code was deactivated while the sale was being recorded, or has no conversions left.
 */
export const writeConversion = async (
  deps: ReferralDeps,
  scope: CallScope,
  referrer: Referrer,
  parties: ConversionParties,
  admitted?: GuardVerdict | null,
): Promise<ConversionOutcome> => commitConversion(deps, scope, referrer, await planConversion(deps, scope, referrer, parties, admitted), parties);

/** A code was retired: its sales that were still being decided never stand (the deactivation fence for sales in flight). */
export const voidUndecidedSales = (deps: ReferralDeps, scope: CallScope, codeId: Types.ObjectId): Promise<void> =>
  // query: referral.undecidedByCode
  deps.writes.voidUndecided(scope, deps.referrals, { codeId }, { voidedReason: 'code_deactivated' });

/** A referrer was suspended: their sales that were still being decided never stand. */
export const voidUndecidedSalesOf = (deps: ReferralDeps, scope: CallScope, referrer: { referrerRef: Ref; referrerModel: string }): Promise<void> =>
  // query: referral.undecidedByReferrer
  deps.writes.voidUndecided(scope, deps.referrals, referrer, { voidedReason: 'referrer_suspended' });
