import { Types } from 'mongoose';
import type { GuardVerdict } from '../guards/types.js';
import type { Ref } from '../kernel/ids.js';
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
  viaSale: boolean;
  metadata: Record<string, unknown> | null;
  review: GuardVerdict | null;
  /** A lead recorded by its first sale (a direct sale) is converted in the same write. */
  firstSale?: ReferralRecord;
}

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

/** Records who referred whom unless the referee has a lead already (the first one wins); emits `referral:lead.created`. */
export const recordLead = (deps: AttributionDeps, scope: CallScope, lead: NewLead) => {
  const { now } = scope;
  const _id = new Types.ObjectId();
  const doc = {
    _id,
    referrerRef: lead.referrer.ref,
    referrerModel: lead.referrer.model,
    codeId: lead.referrer.codeId,
    code: lead.referrer.code,
    attribution: leadAttribution(lead.referrer),
    status: lead.firstSale ? ('converted' as const) : ('signed_up' as const),
    signedUpAt: lead.signedUpAt,
    firstConvertedAt: lead.firstSale ? now : null,
    firstReferralId: lead.firstSale?._id ?? null,
    viaSale: lead.viaSale,
    metadata: lead.metadata,
    review: lead.review,
    createdAt: now,
    updatedAt: now,
  };
  // query: lead.byReferee
  return deps.writes.insert<ReferralLeadRecord>(
    scope,
    {
      collection: deps.leads,
      match: { refereeRef: lead.referee.refereeRef, refereeModel: lead.referee.refereeModel },
      among: 'live',
      doc,
      events: [
        leadCreatedEvent({ ...doc, ...lead.referee }, scope.ctx),
        ...(lead.firstSale ? [leadConvertedEvent({ ...doc, ...lead.referee }, lead.firstSale, now, scope.ctx)] : []),
      ],
    },
    REFEREE_RACE,
  );
};

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
