import { type Refusal, saleDecision, saleNeedsDecision } from '../codes/slots.js';
import { isSuspended } from '../referrers/standing.js';
import type { Decision, Doc } from '../store/operations.js';
import type { CallScope } from '../store/scope.js';
import type { ReferralDeps } from './deps.js';
import type { Referrer } from './referrer.js';

/** Why the fence refused a new sale or lead: its code could not take it, or its referrer is suspended. */
export type FenceRefusal = Refusal | 'referrer_suspended';

/** The rules by which a code decided the referrer (directly or through a visit): only those answer to the code. */
const BY_CODE: ReadonlySet<string> = new Set(['code', 'first_touch', 'last_touch']);

/** True when a code decided this referrer; a lead, a binding or a named referrer outlives its code. */
export const decidedByCode = (referrer: Referrer): boolean => referrer.codeId !== null && BY_CODE.has(referrer.attribution.rule);

const STAND: Decision = { stand: {} };

/**
 * What a new sale or lead must pass before it stands, read after it was inserted undecided (see
 * the executor's insert): the referrer is not suspended, and, when a code decided it, the code
 * as stored now can take it (deactivation, expiry and, when `takesSlot`, the cap). The two reads
 * go out together.
 */
export const fence =
  (deps: ReferralDeps, scope: CallScope, referrer: Referrer, options: { takesSlot: boolean }) =>
  async (collided: Doc | null): Promise<Decision> => {
    const claim = { ...referrer, takesSlot: options.takesSlot };
    const byCode = decidedByCode(referrer) && saleNeedsDecision(deps, claim);
    const [suspended, decision] = await Promise.all([
      isSuspended(deps, scope, { referrerRef: referrer.ref, referrerModel: referrer.model }),
      byCode ? saleDecision(deps, scope, claim, collided) : STAND,
    ]);
    return suspended ? { void: { voidedReason: 'referrer_suspended' } } : decision;
  };
