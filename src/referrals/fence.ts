import type { Types } from 'mongoose';
import type { ReferralCodeRecord } from '../codes/model.js';
import { FENCE_PROJECTION, type Refusal, type StoredCodeState, saleDecision, saleNeedsDecision } from '../codes/slots.js';
import { aggregateAll } from '../kernel/cursor.js';
import { isSuspended, type ReferrerKey, suspendedStanding } from '../referrers/standing.js';
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
const SUSPENDED: Decision = { void: { voidedReason: 'referrer_suspended' } };

/** The stored code and whether its referrer is suspended, in one command: the standing is looked up from the code's read. */
const readCodeAndStanding = async (deps: ReferralDeps, scope: CallScope, codeId: Types.ObjectId, referrer: ReferrerKey) => {
  // query: code.byIdWithStanding
  const [stored] = await aggregateAll<StoredCodeState & { suspended: unknown[] }, ReferralCodeRecord>(
    deps.codes,
    [
      { $match: scope.live({ _id: codeId }) },
      { $project: FENCE_PROJECTION },
      // query: referrer.byKey
      {
        $lookup: {
          from: deps.referrers.collectionName,
          pipeline: [{ $match: suspendedStanding(scope, referrer) }, { $project: { _id: 1 } }, { $limit: 1 }],
          as: 'suspended',
        },
      },
    ],
    scope.options,
  );
  // A code gone (deleted) refuses the sale whatever the standing; otherwise the lookup answered it.
  return { stored: stored ?? null, suspended: stored ? stored.suspended.length > 0 : false };
};

/**
 * What a new sale or lead must pass before it stands, read after it was inserted undecided (see
 * the executor's insert): the referrer is not suspended, and, when a code decided it, the code
 * as stored now can take it (deactivation, expiry and, when `takesSlot`, the cap). When both are
 * read, one command reads them.
 */
export const fence =
  (deps: ReferralDeps, scope: CallScope, referrer: Referrer, options: { takesSlot: boolean }) =>
  async (collided: Doc | null): Promise<Decision> => {
    const claim = { ...referrer, takesSlot: options.takesSlot };
    const standing = { referrerRef: referrer.ref, referrerModel: referrer.model };
    if (!(decidedByCode(referrer) && saleNeedsDecision(deps, claim))) {
      return (await isSuspended(deps, scope, standing)) ? SUSPENDED : STAND;
    }
    const { stored, suspended } = await readCodeAndStanding(deps, scope, referrer.codeId as Types.ObjectId, standing);
    const decision = saleDecision(deps, scope, claim, stored, collided);
    return suspended && 'stand' in decision ? SUSPENDED : decision;
  };
