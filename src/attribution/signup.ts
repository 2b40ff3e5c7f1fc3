import { configError, ReplayConflictError } from '../kernel/errors.js';
import { parseInput } from '../kernel/input.js';
import { admit, draftOf } from '../referrals/conversion.js';
import type { CallScope } from '../store/scope.js';
import type { AttributionDeps } from './deps.js';
import { type AttributeSignupInput, attributeSignupInputSchema } from './inputs.js';
import type { ReferralLeadRecord } from './lead.model.js';
import { recordLead, sameReferrer } from './leads.js';
import { resolveReferrer } from './referrer-resolver.js';

/**
 * Records who referred whom when a user signs up: once per referee per tenant (a partial-unique
 * index; the first signup wins). The referrer is a code that can attribute now (never from the
 * cache) or the visitor's deciding touch. Self-referral is refused and the fraud guards run as
 * for a sale (they see `sourceModel: 'Signup'`). A replay returns the lead; one through another
 * referrer's code is `replay_conflict`. Null when nothing attributes the signup, or when the fence
 * refused it as it refuses a sale (its code retired, its referrer suspended, even meanwhile).
 */
export const attributeSignup = async (deps: AttributionDeps, scope: CallScope, input: AttributeSignupInput): Promise<ReferralLeadRecord | null> => {
  if (!deps.policy.leads) throw configError('attribution.leads', 'Leads are off: create the engine with attribution: { leads: true } to record signups');
  const signup = parseInput(attributeSignupInputSchema, input, 'input');
  const resolution = await resolveReferrer(deps, scope, { code: signup.code, visitorId: signup.visitorId, referee: signup });
  if (!('referrer' in resolution)) return null;
  const { referrer } = resolution;
  const draft = draftOf(referrer, { ...signup, sourceRef: signup.refereeRef, sourceModel: 'Signup' });
  const verdict = await admit(deps, scope, draft, signup.signals);
  const outcome = await recordLead(deps, scope, {
    referrer,
    referee: signup,
    signedUpAt: signup.signedUpAt ?? scope.now,
    viaSale: false,
    metadata: signup.metadata ?? null,
    review: verdict,
  });
  if ('refused' in outcome) return null;
  const { lead: doc, inserted } = outcome;
  const otherReferrer = referrer.attribution.rule === 'code' && !doc.erasedAt && !doc.referrerErasedAt && !sameReferrer(doc, referrer.ref, referrer.model);
  if (!inserted && otherReferrer) throw new ReplayConflictError(['referrerRef']);
  return doc;
};
