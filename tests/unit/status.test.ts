import { describe, expect, it } from 'vitest';
import { assertTransition, canTransition, REFERRAL_STATUSES, REFERRAL_TRANSITIONS, type ReferralAction } from '../../src/referrals/status.js';

const actions = Object.keys(REFERRAL_TRANSITIONS) as ReferralAction[];

describe('referral state machine', () => {
  it('allows exactly the transitions in the table', () => {
    const allowed = actions.flatMap((action) => REFERRAL_STATUSES.filter((from) => canTransition(from, action)).map((from) => `${action}:${from}`));
    expect(allowed.sort()).toEqual(
      ['approve:converted', 'reject:converted', 'reverse:approved', 'reverse:converted', 'updateApprovals:converted', 'void:converted'].sort(),
    );
  });

  it('settled and reversed referrals take no decision', () => {
    for (const from of ['approved', 'rejected', 'reversed'] as const) {
      expect(() => assertTransition(from, 'approve')).toThrow(
        expect.objectContaining({ code: 'invalid_transition', status: 409, details: { from, to: 'approved' } }),
      );
      expect(() => assertTransition(from, 'reject')).toThrow(expect.objectContaining({ code: 'invalid_transition', details: { from, to: 'rejected' } }));
    }
    expect(() => assertTransition('rejected', 'reverse')).toThrow(expect.objectContaining({ details: { from: 'rejected', to: 'reversed' } }));
    expect(() => assertTransition('converted', 'approve')).not.toThrow();
  });

  it('every target is a known status', () => {
    for (const action of actions) expect(REFERRAL_STATUSES).toContain(REFERRAL_TRANSITIONS[action].to);
  });
});
