import { describe, expect, it } from 'vitest';
import { draftOf } from '../../src/referrals/conversion.js';

describe('draftOf', () => {
  const referrer = { ref: 'creator-1', model: 'user', code: 'ALICE' };

  it('names the referrer, the referee and the source as guards and review hooks see them', () => {
    const draft = draftOf(referrer, {
      refereeRef: 'buyer-1',
      refereeModel: 'user',
      sourceRef: 'order-1',
      sourceModel: 'Order',
      amount: 4999,
      currency: 'USD',
      metadata: { campaign: 'spring' },
    });
    expect(draft).toEqual({
      referrerRef: 'creator-1',
      referrerModel: 'user',
      refereeRef: 'buyer-1',
      refereeModel: 'user',
      sourceRef: 'order-1',
      sourceModel: 'Order',
      code: 'ALICE',
      amount: 4999,
      currency: 'USD',
      metadata: { campaign: 'spring' },
    });
  });

  it('stores no metadata as null and keeps only the draft fields of a wider input', () => {
    const signup = { refereeRef: 'buyer-2', refereeModel: 'user', visitorId: 'v-1', signals: { refereeEmail: 'buyer-2@example.com' } };
    const draft = draftOf({ ...referrer, code: null }, { ...signup, sourceRef: signup.refereeRef, sourceModel: 'Signup' });
    expect(draft.metadata).toBeNull();
    expect(draft.code).toBeNull();
    expect(draft.amount).toBeNull();
    expect(draft.currency).toBeNull();
    expect(Object.keys(draft).sort()).toEqual([
      'amount',
      'code',
      'currency',
      'metadata',
      'refereeModel',
      'refereeRef',
      'referrerModel',
      'referrerRef',
      'sourceModel',
      'sourceRef',
    ]);
    expect(draft.sourceRef).toBe('buyer-2');
  });
});
