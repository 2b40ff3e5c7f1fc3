import { Types } from 'mongoose';
import type { GuardVerdict } from '../guards/types.js';
import { type Ref, refEquals } from '../kernel/ids.js';
import { type FenceRefusal, fence } from '../referrals/fence.js';
import type { ReferralRecord } from '../referrals/model.js';
import type { Referrer } from '../referrals/referrer.js';
import type { RaceRule } from '../store/operations.js';
import type { CallScope } from '../store/scope.js';
import type { AttributionDeps } from './deps.js';
import type { ReferralLeadRecord } from './lead.model.js';
import { leadConvertedEvent, leadCreatedEvent } from './lead-events.js';

export interface Referee {
  refereeRef: Ref;
  refereeModel: string;
}

export interface NewLead {
  referrer: Referrer;
  referee: Referee;
  signedUpAt: Date;
  /** True when a first sale records it (the referee never signed up through a referrer before buying). */
  viaSale: boolean;
  metadata: Record<string, unknown> | null;
  review: GuardVerdict | null;
}

/** The lead that stands for the referee (`inserted`: this call's), or why the fence refused this one. */
export type LeadOutcome = { lead: ReferralLeadRecord; inserted: boolean } | { refused: FenceRefusal };

/** Whether a lead names this referrer (ref compared as ids are, and model). */
export const sameReferrer = (lead: Pick<ReferralLeadRecord, 'referrerRef' | 'referrerModel'>, ref: Ref, model: string): boolean =>
  lead.referrerModel === model && refEquals(lead.referrerRef, ref);

/** The referee index has a condition (`deletedAt: null`): a lost insert race is sent again to match the winner's lead. */
const REFEREE_RACE: RaceRule[] = [{ on: { keys: [['refereeRef', 'refereeModel']] }, retries: 2 }];

/** The referee's live lead, or null (one indexed read on rf_lead_referee_unique). */
export const findLead = (deps: AttributionDeps, scope: CallScope, referee: Referee): Promise<ReferralLeadRecord | null> =>
  // query: lead.byReferee
  deps.leads.findOne(scope.live({ refereeRef: referee.refereeRef, refereeModel: referee.refereeModel }), scope.read);

const leadAttribution = (referrer: Referrer): ReferralLeadRecord['attribution'] => {
  const { rule, visitorId, touchAt } = referrer.attribution;
  return { rule: rule === 'first_touch' || rule === 'last_touch' ? rule : 'code', ...(visitorId ? { visitorId } : {}), ...(touchAt ? { touchAt } : {}) };
};

/**
 * Records who referred whom unless the referee has a lead already (the first to stand wins); emits
 * `referral:lead.created`. It passes the fence as a sale does (a code retired or a referrer
 * suspended meanwhile refuses it), but takes no slot of a capped code.
 */
export const recordLead = async (deps: AttributionDeps, scope: CallScope, lead: NewLead): Promise<LeadOutcome> => {
  const { now } = scope;
  const _id = new Types.ObjectId();
  const doc = {
    _id,
    referrerRef: lead.referrer.ref,
    referrerModel: lead.referrer.model,
    codeId: lead.referrer.codeId,
    code: lead.referrer.code,
    attribution: leadAttribution(lead.referrer),
    status: 'signed_up' as const,
    signedUpAt: lead.signedUpAt,
    firstConvertedAt: null,
    firstReferralId: null,
    viaSale: lead.viaSale,
    metadata: lead.metadata,
    review: lead.review,
    createdAt: now,
    updatedAt: now,
  };
  // query: lead.byReferee
  const outcome = await deps.writes.insert<ReferralLeadRecord>(
    scope,
    {
      collection: deps.leads,
      match: { refereeRef: lead.referee.refereeRef, refereeModel: lead.referee.refereeModel },
      among: 'live',
      doc,
      events: [leadCreatedEvent({ ...doc, ...lead.referee }, scope.ctx)],
      decide: fence(deps, scope, lead.referrer, { takesSlot: false }),
    },
    REFEREE_RACE,
  );
  return outcome.voided ? { refused: outcome.voided.voidedReason as FenceRefusal } : { lead: outcome.doc, inserted: outcome.inserted };
};

/** A code was retired: leads still being decided through it never stand. */
export const voidUndecidedLeadsOfCode = (deps: AttributionDeps, scope: CallScope, codeId: Types.ObjectId): Promise<void> =>
  // query: lead.undecidedByCode
  deps.writes.voidUndecided(scope, deps.leads, { codeId }, { voidedReason: 'code_deactivated' });

/** A referrer was suspended: their leads still being decided never stand. */
export const voidUndecidedLeadsOf = (deps: AttributionDeps, scope: CallScope, referrer: { referrerRef: Ref; referrerModel: string }): Promise<void> =>
  // query: lead.undecidedByReferrer
  deps.writes.voidUndecided(scope, deps.leads, referrer, { voidedReason: 'referrer_suspended' });

/**
 * Marks the lead's first sale, once: a conditional update that only the first sale's call wins,
 * so `referral:lead.converted` (the double-sided reward cue) is emitted exactly once.
 */
export const convertLead = (deps: AttributionDeps, scope: CallScope, lead: ReferralLeadRecord, referral: ReferralRecord): Promise<ReferralLeadRecord | null> =>
  // query: lead.byId
  deps.writes.update<ReferralLeadRecord>(scope, {
    collection: deps.leads,
    match: { _id: lead._id, firstConvertedAt: null },
    among: 'live',
    set: { status: 'converted', firstConvertedAt: scope.now, firstReferralId: referral._id, updatedAt: scope.now },
    events: [leadConvertedEvent(lead, referral, scope.now, scope.ctx)],
  });
