import type { Types } from 'mongoose';
import type { DomainEvent } from '../events/types.js';
import { ContentionError, NotFoundError } from '../kernel/errors.js';
import type { CallScope } from '../store/scope.js';
import type { ReferralDeps } from './deps.js';
import type { ReferralDecision, ReferralRecord, ReferralReversal } from './model.js';

/** A referral change: what to set, the decision kept on the record, and the events it emits. */
export interface ReferralChange {
  set: Partial<Pick<ReferralRecord, 'status' | 'approvals' | 'decidedAt' | 'reversedAmount'>>;
  /** Appended to `reversals` in the same write. */
  reversal?: ReferralReversal;
  decision: ReferralDecision;
  events: DomainEvent[];
}

/** Lost optimistic races retried before `contention`; each retry re-reads and re-plans. */
const MAX_RACE_RETRIES = 99;

/**
 * Every referral change after conversion: conditional on the status and version that were
 * read, with the decision (and reversal) appended and the version bumped in the same write.
 */
export const changeReferral = (
  deps: ReferralDeps,
  scope: CallScope,
  id: Types.ObjectId,
  plan: (current: ReferralRecord) => ReferralChange | null,
): Promise<ReferralRecord> =>
  // query: referral.byId
  deps.writes.transition(scope, {
    collection: deps.referrals,
    // query: referral.byId
    read: () => deps.referrals.findOne(scope.live({ _id: id }), scope.read),
    notFound: () => new NotFoundError('referral_not_found', 'No such referral in this tenant'),
    plan: (current) => {
      const change = plan(current);
      if (!change) return null;
      return {
        expect: { deletedAt: null, status: current.status, version: current.version },
        set: { ...change.set, updatedAt: change.decision.decidedAt },
        inc: { version: 1 },
        push: { decisions: change.decision, ...(change.reversal ? { reversals: change.reversal } : {}) },
        events: change.events,
      };
    },
    race: { on: 'changed', retries: MAX_RACE_RETRIES, exhausted: () => new ContentionError('referral') },
  });
