import { resolveCode, resolveForSale } from '../codes/resolver.js';
import { parseInput } from '../kernel/validation.js';
import { writeConversion } from '../referrals/conversion.js';
import type { ReferralRecord } from '../referrals/model.js';
import { type Referrer, referrerFromBinding, referrerFromCode, referrerFromLead, referrerFromTouch } from '../referrals/referrer.js';
import { replayThroughRetiredCode } from '../referrals/replay.js';
import type { CallScope } from '../store/scope.js';
import type { ReferralBindingRecord } from './binding.model.js';
import { bindReferee, findBinding } from './bindings.js';
import type { AttributionDeps } from './deps.js';
import { type AttributeSaleInput, attributeSaleInputSchema, type TrackVisitInput, trackVisitInputSchema } from './inputs.js';
import type { ReferralLeadRecord } from './lead.model.js';
import { followLead } from './lead-follow.js';
import { findLead } from './leads.js';
import { leadInWindow } from './policy.js';
import type { ReferralTouchRecord } from './touch.model.js';
import { decidingTouch, recordTouch } from './touches.js';

type ParsedSale = ReturnType<typeof attributeSaleInputSchema.parse>;

/** The referrer this sale names: its code, else the visitor's deciding touch; or the answer already recorded. */
const candidateFor = async (deps: AttributionDeps, scope: CallScope, sale: ParsedSale): Promise<Referrer | { replay: ReferralRecord | null }> => {
  if (sale.code !== undefined) {
    const resolution = await resolveForSale(deps, scope, sale.code);
    if (!resolution) return { replay: null };
    if ('retired' in resolution) return { replay: await replayThroughRetiredCode(deps, scope, sale, sale.code) };
    return referrerFromCode(resolution.usable);
  }
  if (sale.visitorId === undefined) return { replay: null };
  const touch = await decidingTouch(deps, scope, sale.visitorId);
  return touch ? referrerFromTouch(touch, deps.policy.model) : { replay: null };
};

/**
 * The one rule, in order: the referee's lead (within `leadWindowDays`) wins, unless
 * `leadPolicy: 'code'` and the sale names a usable code; then a lifetime binding; then the
 * code the sale names; then the visitor's deciding touch.
 */
const decideReferrer = (
  deps: AttributionDeps,
  scope: CallScope,
  found: { lead: ReferralLeadRecord | null; bound: ReferralBindingRecord | null; candidate: Referrer | { replay: ReferralRecord | null } },
): Referrer | { replay: ReferralRecord | null } => {
  const { lead, bound, candidate } = found;
  const codeNamed = 'ref' in candidate && candidate.attribution.rule === 'code';
  if (lead && leadInWindow(deps.policy, lead.signedUpAt, scope.now) && !(deps.policy.leadPolicy === 'code' && codeNamed)) return referrerFromLead(lead);
  if (bound) return referrerFromBinding(bound);
  return candidate;
};

/** A sale's attribution, telling a new sale (`created`) from a replay of a recorded one. */
export interface SaleOutcome {
  referral: ReferralRecord;
  created: boolean;
}

/**
 * Checkout in one call. The referrer is the code's owner (a typed code beats any touch), else
 * the visitor's first or last touch in the window; with `binding: 'lifetime'` a referee already
 * bound to a referrer stays theirs, and the first recorded sale binds them. Null when nothing
 * attributes the sale.
 */
export const attributeSaleWithOutcome = async (deps: AttributionDeps, scope: CallScope, input: AttributeSaleInput): Promise<SaleOutcome | null> => {
  const sale = parseInput(attributeSaleInputSchema, input, 'input');
  const lifetime = deps.policy.binding === 'lifetime';
  // Independent reads, sent together: the referee's lead and binding, and what the sale names.
  const [lead, bound, candidate] =
    deps.policy.leads || lifetime
      ? await Promise.all([
          deps.policy.leads ? findLead(deps, scope, sale) : null,
          lifetime ? findBinding(deps, scope, sale.refereeRef, sale.refereeModel) : null,
          candidateFor(deps, scope, sale),
        ])
      : [null, null, await candidateFor(deps, scope, sale)];
  const referrer = decideReferrer(deps, scope, { lead, bound, candidate });
  if ('replay' in referrer) return referrer.replay ? { referral: referrer.replay, created: false } : null;
  const outcome = await writeConversion(deps, scope, referrer, sale);
  if (!('recorded' in outcome)) return null;
  // First bind wins: binding only after a recorded sale, so a refused sale binds nobody.
  if (lifetime && !bound) await bindReferee(deps, scope, referrer, sale);
  await followLead(deps, scope, lead, referrer, outcome.recorded, sale);
  return { referral: outcome.recorded, created: outcome.created };
};

/** Checkout in one call (see attributeSaleWithOutcome): the referral, or null when nothing attributes the sale. */
export const attributeSale = async (deps: AttributionDeps, scope: CallScope, input: AttributeSaleInput): Promise<ReferralRecord | null> =>
  (await attributeSaleWithOutcome(deps, scope, input))?.referral ?? null;

/** Records a visit through a referral code for later attribution by `visitorId`. Null for a code that cannot attribute. */
export const trackVisit = async (deps: AttributionDeps, scope: CallScope, input: TrackVisitInput): Promise<ReferralTouchRecord | null> => {
  const visit = parseInput(trackVisitInputSchema, input, 'input');
  const code = await resolveCode(deps, scope, visit.code);
  if (!code) return null;
  return recordTouch(deps, scope, {
    visitorId: visit.visitorId,
    codeId: code.codeId,
    code: code.code,
    ownerRef: code.ownerRef,
    ownerModel: code.ownerModel,
    at: visit.at ?? scope.now,
  });
};
