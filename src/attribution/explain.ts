import { findAll } from '../kernel/cursor.js';
import type { Ref } from '../kernel/ids.js';
import type { ReferralAttribution } from '../referrals/referrer.js';
import type { CallScope } from '../store/scope.js';
import type { ReferralBindingRecord } from './binding.model.js';
import type { AttributionDeps } from './deps.js';
import type { ReferralLeadRecord } from './lead.model.js';
import type { ReferralTouchRecord } from './touch.model.js';

/** The order in which a sale's referrer is decided (see attribution/checkout.ts). */
const ATTRIBUTION_RULE =
  'a lead within leadWindowDays (unless leadPolicy is "code" and the sale names a usable code), ' +
  "else a lifetime binding, else the code the sale names, else the visitor's deciding touch";

/** What explain() reports about a referee. */
export interface AttributionExplanation {
  policy: {
    model: 'first_touch' | 'last_touch';
    windowDays: number;
    binding: 'per_sale' | 'lifetime';
    leads: boolean;
    leadPolicy: 'lead' | 'code';
    leadWindowDays: number | null;
    rule: string;
  };
  binding: ReferralBindingRecord | null;
  /** The referee's leads (who referred them at signup), when leads are on. */
  leads: ReferralLeadRecord[];
  referrals: { referralId: string; sourceRef: Ref; sourceModel: string; referrerRef: Ref; status: string; attribution: ReferralAttribution | null }[];
  /** Touches (not yet expired) of the visitors those referrals and leads were attributed through. */
  touches: ReferralTouchRecord[];
}

/** Why a referee's sales went where they did: policy, binding, leads, referrals and the touches behind them. */
export const explainReferee = async (deps: AttributionDeps, scope: CallScope, refereeRef: Ref): Promise<AttributionExplanation> => {
  const { model, windowDays, binding, leads: leadsOn, leadPolicy, leadWindowDays } = deps.policy;
  // query: binding.byRefereeAnyModel
  const bound = await deps.bindings.findOne(scope.where({ refereeRef }), scope.options);
  // query: lead.byRefereeAnyModel
  const leads = await findAll(deps.leads, scope.live({ refereeRef }), { ...scope.read, limit: 10 });
  // query: referral.byReferee
  const referrals = await findAll(deps.referrals, scope.live({ refereeRef }), {
    projection: { sourceRef: 1, sourceModel: 1, referrerRef: 1, status: 1, attribution: 1 },
    limit: 100,
    ...scope.options,
  });
  const attributions = [...referrals.map((r) => r.attribution), ...leads.map((lead) => lead.attribution)];
  const visitorIds = [...new Set(attributions.map((a) => a?.visitorId).filter((id): id is string => typeof id === 'string'))];
  const touches =
    visitorIds.length === 0
      ? []
      : // query: touch.byVisitor
        await findAll(deps.touches, scope.where({ visitorId: { $in: visitorIds } }), { sort: { at: -1 }, limit: 100, ...scope.options });
  return {
    policy: { model, windowDays, binding, leads: leadsOn, leadPolicy, leadWindowDays, rule: ATTRIBUTION_RULE },
    binding: bound,
    leads,
    referrals: referrals.map((r) => ({
      referralId: String(r._id),
      sourceRef: r.sourceRef,
      sourceModel: r.sourceModel,
      referrerRef: r.referrerRef,
      status: r.status,
      attribution: r.attribution ?? null,
    })),
    touches,
  };
};
