import type { GuardVerdict } from '../guards/types.js';
import { isQualifying } from '../money/schema.js';
import { admit, type ConversionParties, draftOf } from '../referrals/conversion.js';
import { decidedByCode } from '../referrals/fence.js';
import type { ReferralRecord } from '../referrals/model.js';
import type { Referrer } from '../referrals/referrer.js';
import type { CallScope } from '../store/scope.js';
import type { ReferralBindingRecord } from './binding.model.js';
import { bindReferee } from './bindings.js';
import type { AttributionDeps } from './deps.js';
import type { ReferralLeadRecord } from './lead.model.js';
import { convertLead, recordLead, sameReferrer } from './leads.js';
import { referrerFrom } from './referrer-resolver.js';

/** Who a sale goes to once the referee's lead is settled, with what the sale still has to do for it. */
export interface Anchored {
  referrer: Referrer;
  lead: ReferralLeadRecord | null;
  bound: ReferralBindingRecord | null;
  /** The guards' verdict when they already ran for this referrer. */
  verdict?: GuardVerdict | null;
}

/**
 * A referee's first sale through a code or a visit, with leads on and no lead yet: the lead is
 * recorded first, so whichever of this sale and a racing signup stands first names the referrer of
 * both (the lead is unique per referee). When a signup won, the sale follows its lead (unless
 * `leadPolicy: 'code'` and the sale names a code). Null when the fence refused the lead: the
 * sale would be refused for the same reason.
 */
export const anchorReferrer = async (
  deps: AttributionDeps,
  scope: CallScope,
  found: Omit<Anchored, 'verdict'>,
  sale: ConversionParties,
): Promise<Anchored | null> => {
  const { referrer, lead, bound } = found;
  if (!deps.policy.leads || lead || !decidedByCode(referrer)) return found;
  const verdict = await admit(deps, scope, draftOf(referrer, sale), sale.signals);
  const claimed = await recordLead(deps, scope, { referrer, referee: sale, signedUpAt: scope.now, viaSale: true, metadata: null, review: verdict });
  if ('refused' in claimed) return null;
  const standing = claimed.lead;
  const codeWins = deps.policy.leadPolicy === 'code' && referrer.attribution.rule === 'code';
  if (sameReferrer(standing, referrer.ref, referrer.model) || codeWins) return { referrer, lead: standing, bound, verdict };
  return { referrer: referrerFrom(standing, 'lead'), lead: standing, bound };
};

/**
 * After a sale is recorded (or replayed): a qualifying sale (not a 0-amount one) binds the referee
 * (`binding: 'lifetime'`, first bind wins) and converts their lead when it is the lead's
 * referrer's, once (a conditional update). Replays run this again, so a crash between writes heals.
 */
export const creditReferee = async (deps: AttributionDeps, scope: CallScope, anchored: Anchored, referral: ReferralRecord, sale: ConversionParties) => {
  if (!isQualifying(sale)) return;
  if (deps.policy.binding === 'lifetime' && !anchored.bound) await bindReferee(deps, scope, anchored.referrer, sale);
  const { lead } = anchored;
  if (deps.policy.leads && lead && lead.firstConvertedAt === null && sameReferrer(lead, referral.referrerRef, referral.referrerModel)) {
    await convertLead(deps, scope, lead, referral);
  }
};
