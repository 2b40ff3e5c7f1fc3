import { resolveCode } from '../codes/resolver.js';
import { runGuards } from '../guards/pipeline.js';
import { configError, FraudRejectedError, ReplayConflictError, SelfReferralError } from '../kernel/errors.js';
import { refEquals } from '../kernel/ids.js';
import { parseInput } from '../kernel/validation.js';
import { guardContext, isSelfReferral } from '../referrals/conversion.js';
import { type Referrer, referrerFromCode, referrerFromTouch } from '../referrals/referrer.js';
import type { CallScope } from '../store/scope.js';
import type { AttributionDeps } from './deps.js';
import { type AttributeSignupInput, attributeSignupInputSchema } from './inputs.js';
import type { ReferralLeadRecord } from './lead.model.js';
import { recordLead } from './leads.js';
import { decidingTouch } from './touches.js';

type ParsedSignup = ReturnType<typeof attributeSignupInputSchema.parse>;

/** The referrer a signup names: a code that can attribute now, else the visitor's deciding touch. */
const signupReferrer = async (deps: AttributionDeps, scope: CallScope, signup: ParsedSignup): Promise<Referrer | null> => {
  if (signup.code !== undefined) {
    const code = await resolveCode(deps, scope, signup.code);
    return code ? referrerFromCode(code) : null;
  }
  if (signup.visitorId === undefined) return null;
  const touch = await decidingTouch(deps, scope, signup.visitorId);
  return touch ? referrerFromTouch(touch, deps.policy.model) : null;
};

/**
 * Records who referred whom when a user signs up: once per referee per tenant (a partial-unique
 * index; the first signup wins). Self-referral is refused and the fraud guards run as for a
 * sale (they see `sourceModel: 'Signup'`). A replay returns the lead; one through another
 * referrer's code is `replay_conflict`. Null when nothing attributes the signup.
 */
export const attributeSignup = async (deps: AttributionDeps, scope: CallScope, input: AttributeSignupInput): Promise<ReferralLeadRecord | null> => {
  if (!deps.policy.leads) throw configError('attribution.leads', 'Leads are off: create the engine with attribution: { leads: true } to record signups');
  const signup = parseInput(attributeSignupInputSchema, input, 'input');
  const referrer = await signupReferrer(deps, scope, signup);
  if (!referrer) return null;
  if (isSelfReferral(referrer, signup)) throw new SelfReferralError();
  const draft = {
    referrerRef: referrer.ref,
    referrerModel: referrer.model,
    refereeRef: signup.refereeRef,
    refereeModel: signup.refereeModel,
    sourceRef: signup.refereeRef,
    sourceModel: 'Signup',
    code: referrer.code,
    metadata: signup.metadata ?? null,
  };
  const verdict = await runGuards(deps.guards, { ...draft, signals: signup.signals ?? {} }, guardContext(deps, scope));
  if (verdict?.outcome === 'reject') throw new FraudRejectedError(verdict.rules);
  const { doc, inserted } = await recordLead(deps, scope, {
    referrer,
    referee: signup,
    signedUpAt: signup.signedUpAt ?? scope.now,
    viaSale: false,
    metadata: signup.metadata ?? null,
    review: verdict,
  });
  const otherReferrer =
    referrer.attribution.rule === 'code' && !doc.erasedAt && (!refEquals(doc.referrerRef, referrer.ref) || doc.referrerModel !== referrer.model);
  if (!inserted && otherReferrer) throw new ReplayConflictError(['referrerRef']);
  return doc;
};
