import { InvalidTransitionError } from '../kernel/errors.js';

/** Every status a referral can have; the model's enum and the input schemas read this list. */
export const REFERRAL_STATUSES = ['converted', 'approved', 'rejected', 'reversed'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

/**
 * The referral state machine, in one table: from which statuses an action may start, and the
 * status it leads to. A partial reversal keeps the status it had (see reversal.ts); `void`
 * soft-deletes a conversion that raced a code deactivation.
 */
export const REFERRAL_TRANSITIONS = {
  approve: { from: ['converted'], to: 'approved' },
  reject: { from: ['converted'], to: 'rejected' },
  reverse: { from: ['converted', 'approved'], to: 'reversed' },
  updateApprovals: { from: ['converted'], to: 'converted' },
  void: { from: ['converted'], to: 'converted' },
} as const satisfies Readonly<Record<string, { readonly from: readonly ReferralStatus[]; readonly to: ReferralStatus }>>;

/** Every change a referral can go through after it was recorded as `converted`: the table's keys. */
export type ReferralAction = keyof typeof REFERRAL_TRANSITIONS;

/** How each action a reviewer or host takes is spelled in the decision kept on the record (`decisions[].action`). */
export const DECISION_ACTIONS = {
  approve: 'approve',
  reject: 'reject',
  reverse: 'reverse',
  updateApprovals: 'update_approvals',
} as const satisfies { readonly [A in Exclude<ReferralAction, 'void'>]: string };

export type DecisionAction = (typeof DECISION_ACTIONS)[keyof typeof DECISION_ACTIONS];

/** The statuses `action` may start from. */
export type StatusBefore<A extends ReferralAction> = (typeof REFERRAL_TRANSITIONS)[A]['from'][number];

export const canTransition = <A extends ReferralAction>(from: ReferralStatus, action: A): from is StatusBefore<A> =>
  (REFERRAL_TRANSITIONS[action].from as readonly ReferralStatus[]).includes(from);

/** Refuses an action the current status does not allow (409 `invalid_transition`). */
export function assertTransition<A extends ReferralAction>(from: ReferralStatus, action: A): asserts from is StatusBefore<A> {
  if (!canTransition(from, action)) throw new InvalidTransitionError(from, REFERRAL_TRANSITIONS[action].to);
}
