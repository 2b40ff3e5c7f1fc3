import type { Types } from 'mongoose';
import type { DomainEvent } from '../events/types.js';
import { ContentionError, NotFoundError, ReplayConflictError } from '../kernel/errors.js';
import { canonicalId } from '../kernel/ids.js';
import type { CallScope } from '../store/scope.js';
import type { ReferralDeps } from './deps.js';
import type { ReferralDecision, ReferralRecord, ReferralReversal } from './model.js';
import type { DecisionAction } from './status.js';

/** A referral change: what to set, the decision kept on the record, and the events it emits. */
export interface ReferralChange {
  set: Partial<Pick<ReferralRecord, 'status' | 'approvals' | 'decidedAt' | 'reversedAmount' | 'reviewRequired' | 'awaiting' | 'holdUntil'>>;
  /** Appended to `reversals` in the same write. */
  reversal?: ReferralReversal;
  decision: ReferralDecision;
  events: DomainEvent[];
}

/** Who asks for a change: the decision a retry with the same `ctx.idempotencyKey` must repeat. */
export interface DecisionRequest {
  action: DecisionAction;
  decidedBy: string;
}

/**
 * True when the record already holds the decision this call's `ctx.idempotencyKey` made (a retry
 * whose first reply was lost): the answer is the record as stored. The same key on another
 * decision is the caller's bug, refused before anything changes.
 */
const alreadyDecided = (current: ReferralRecord, key: string | undefined, request: DecisionRequest): boolean => {
  const earlier = key === undefined ? undefined : current.decisions.find((decision) => decision.idempotencyKey === key);
  if (!earlier) return false;
  if (earlier.action === request.action && canonicalId(earlier.decidedBy) === canonicalId(request.decidedBy)) return true;
  throw new ReplayConflictError(['idempotencyKey'], 'This idempotency key was already used for another decision on this referral');
};

/** Lost optimistic races retried before `contention`; each retry re-reads and re-plans. */
const MAX_RACE_RETRIES = 99;

/**
 * Every referral change after conversion: conditional on the status and version that were
 * read, with the decision (and reversal) appended and the version bumped in the same write; the
 * call's idempotency key is kept on the decision, so a retry is answered with the stored record.
 */
export const changeReferral = (
  deps: ReferralDeps,
  scope: CallScope,
  id: Types.ObjectId,
  request: DecisionRequest,
  plan: (current: ReferralRecord) => ReferralChange | null,
): Promise<ReferralRecord> =>
  // query: referral.byId
  deps.writes.transition(scope, {
    collection: deps.referrals,
    // query: referral.byId
    read: () => deps.referrals.findOne(scope.live({ _id: id }), scope.read),
    notFound: () => new NotFoundError('referral_not_found', 'No such referral in this tenant'),
    plan: (current) => {
      const key = scope.ctx.idempotencyKey;
      if (alreadyDecided(current, key, request)) return null;
      const change = plan(current);
      if (!change) return null;
      const decision = key === undefined ? change.decision : { ...change.decision, idempotencyKey: key };
      return {
        expect: { deletedAt: null, status: current.status, version: current.version },
        set: { ...change.set, updatedAt: change.decision.decidedAt },
        inc: { version: 1 },
        push: { decisions: decision, ...(change.reversal ? { reversals: change.reversal } : {}) },
        actors: [decision.decidedBy],
        events: change.events,
      };
    },
    race: { on: 'changed', retries: MAX_RACE_RETRIES, exhausted: () => new ContentionError('referral') },
  });
