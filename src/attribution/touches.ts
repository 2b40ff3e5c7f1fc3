import { Types } from 'mongoose';
import type { CallScope } from '../store/scope.js';
import type { AttributionDeps } from './deps.js';
import { touchOrder, windowStart } from './policy.js';
import type { ReferralTouchRecord } from './touch.model.js';

/** Stores one visit through a referral code. */
export const recordTouch = (
  deps: AttributionDeps,
  scope: CallScope,
  touch: Omit<ReferralTouchRecord, '_id' | 'organizationId'>,
): Promise<ReferralTouchRecord> => deps.writes.append(scope, deps.touches, { _id: new Types.ObjectId(), ...touch });

/** The visitor's deciding touch in the window: first or last, per policy (one indexed read). */
export const decidingTouch = (deps: AttributionDeps, scope: CallScope, visitorId: string): Promise<ReferralTouchRecord | null> =>
  // query: touch.byVisitor
  deps.touches.findOne(scope.where({ visitorId, at: { $gte: windowStart(deps.policy, scope.now) } }), {
    sort: { at: touchOrder(deps.policy) },
    ...scope.options,
  });
