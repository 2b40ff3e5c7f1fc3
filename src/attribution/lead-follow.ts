import { refEquals } from '../kernel/ids.js';
import type { ReferralRecord } from '../referrals/model.js';
import type { Referrer } from '../referrals/referrer.js';
import type { CallScope } from '../store/scope.js';
import type { AttributionDeps } from './deps.js';
import type { ReferralLeadRecord } from './lead.model.js';
import { convertLead, type Referee, recordLead } from './leads.js';

const sameReferrer = (lead: ReferralLeadRecord, referral: ReferralRecord): boolean =>
  lead.referrerModel === referral.referrerModel && refEquals(lead.referrerRef, referral.referrerRef);

/** Marks a lead's first sale (once, by a conditional update) when this sale is its referrer's. */
const convertIfFirst = async (deps: AttributionDeps, scope: CallScope, lead: ReferralLeadRecord, referral: ReferralRecord): Promise<void> => {
  if (lead.firstConvertedAt === null && sameReferrer(lead, referral)) await convertLead(deps, scope, lead, referral);
};

/**
 * After a sale is recorded (or replayed): the referee's lead learns its first sale; a sale through
 * a code or a touch for a referee with no lead records the lead too, already converted (a direct
 * sale), so the funnel counts it. Replays run this again, so a crash between the two writes heals.
 */
export const followLead = async (
  deps: AttributionDeps,
  scope: CallScope,
  lead: ReferralLeadRecord | null,
  referrer: Referrer,
  referral: ReferralRecord,
  referee: Referee,
): Promise<void> => {
  if (lead) return convertIfFirst(deps, scope, lead, referral);
  const { rule } = referrer.attribution;
  if (rule !== 'code' && rule !== 'first_touch' && rule !== 'last_touch') return;
  const recorded = await recordLead(deps, scope, {
    referrer,
    referee,
    signedUpAt: scope.now,
    viaSale: true,
    metadata: null,
    review: referral.review ?? null,
    firstSale: referral,
  });
  // A signup that raced this sale won the lead: that lead's first sale may be this one.
  if (!recorded.inserted) await convertIfFirst(deps, scope, recorded.doc, referral);
};
