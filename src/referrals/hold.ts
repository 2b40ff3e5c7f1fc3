import type { mongo } from 'mongoose';
import { z } from 'zod';
import { findAll } from '../kernel/cursor.js';
import type { Ref } from '../kernel/ids.js';
import type { CallScope } from '../store/scope.js';
import type { ReferralDeps } from './deps.js';
import { decisionEvent } from './events.js';
import type { ReferralDecision, ReferralRecord } from './model.js';
import { changeReferral } from './transition.js';

/** Who settles a referral whose hold passed: recorded as its decider and in `referral:approved`. */
export const HOLD_DECIDER = 'system:hold';

export const settleHeldOptionsSchema = z.strictObject({ limit: z.number().int().min(1).max(1000).default(100) });

export type SettleHeldOptions = z.input<typeof settleHeldOptionsSchema>;

/** Approves one referral whose hold passed, unless it was decided, flagged or given a chain meanwhile; true if this call did. */
const settleOne = async (deps: ReferralDeps, scope: CallScope, referral: ReferralRecord): Promise<boolean> => {
  let applied = false;
  const decision: ReferralDecision = { action: 'approve', decidedBy: HOLD_DECIDER, decidedAt: scope.now, note: 'hold period passed' };
  await changeReferral(deps, scope, referral._id, decision, (current) => {
    // Re-planned on every attempt: the last plan is the one that was written.
    applied = current.status === 'converted' && !current.review?.flagged && current.approvals === null;
    if (!applied) return null;
    return { set: { status: 'approved', decidedAt: scope.now }, decision, events: [decisionEvent(current, 'approved', decision, scope.ctx)] };
  });
  return applied;
};

/**
 * Settles the referrals of the call's tenant whose `review.holdDays` passed and that nobody
 * flagged or gave a chain: each is approved once (a compare-and-swap on its version, so two
 * schedulers running at once approve it once), with `referral:approved` and `decidedBy: 'system:hold'`.
 * Oldest hold first, at most `limit` per call; run it again while `settled === limit`.
 */
export const settleHeld = async (deps: ReferralDeps, scope: CallScope, options: z.output<typeof settleHeldOptionsSchema>): Promise<{ settled: number }> => {
  const due = scope.live({ status: 'converted', holdUntil: { $exists: true, $lte: scope.now } });
  // query: referral.holdDue
  const candidates = await findAll(deps.referrals, due as mongo.Filter<ReferralRecord>, { ...scope.read, sort: { holdUntil: 1 }, limit: options.limit });
  let settled = 0;
  for (const referral of candidates) if (await settleOne(deps, scope, referral)) settled++;
  return { settled };
};

/**
 * A referrer was suspended: their referrals leave the hold (`holdUntil: null`), so no scheduler
 * approves them for a suspended referrer; a person decides them. The version is bumped, so a
 * settle that read one before is refused by its compare-and-swap and re-plans.
 */
export const releaseHolds = (deps: ReferralDeps, scope: CallScope, referrer: { referrerRef: Ref; referrerModel: string }): Promise<number> =>
  // query: referral.heldByReferrer
  deps.writes.updateMany(scope, {
    collection: deps.referrals,
    match: { ...referrer, status: 'converted', holdUntil: { $type: 'date' } },
    set: { holdUntil: null },
    inc: { version: 1 },
  });
