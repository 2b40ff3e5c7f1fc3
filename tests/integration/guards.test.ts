import { describe, expect, it } from 'vitest';
import { FraudRejectedError, referralLoopGuard, sameEmailGuard } from '../../src/guards/index.js';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();

describe('fraud guards', () => {
  it('a flag records the referral held for review, stores the decision and emits referral:flagged', async () => {
    const { engine, eventsOf } = await createTestEngine(db.connection, { guards: [sameEmailGuard()] });
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const r = await engine.attributeSale(
      {
        code,
        refereeRef: oid(),
        refereeModel: 'user',
        sourceRef: oid(),
        sourceModel: 'Order',
        signals: { refereeEmail: 'sam.k+1@gmail.com', referrerEmail: 'samk@gmail.com' },
      },
      ctx,
    );
    expect(r).toMatchObject({ status: 'converted', review: { outcome: 'flag', flagged: true, rules: ['same_email'] } });
    expect(r).not.toHaveProperty('signals');
    expect(JSON.stringify(r)).not.toContain('samk@gmail.com');
    expect(eventsOf('referral:flagged')[0]?.payload).toMatchObject({ referralId: String(r?._id), rules: ['same_email'] });
    expect(eventsOf('referral:converted')[0]?.payload).toMatchObject({ flagged: true });
    const clean = await engine.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);
    expect(clean?.review).toMatchObject({ outcome: 'accept', flagged: false, rules: [] });
  });

  it('a reject writes nothing and fails with fraud_rejected naming the rule', async () => {
    const { engine, eventsOf } = await createTestEngine(db.connection, { guards: [referralLoopGuard()] });
    const ctx = newTenantContext();
    const alice = oid();
    const bob = oid();
    const aliceCode = (await engine.repositories.referralCode.generateCode(alice, 'user', ctx)).code;
    const bobCode = (await engine.repositories.referralCode.generateCode(bob, 'user', ctx)).code;
    await engine.attributeSale({ code: aliceCode, refereeRef: bob, refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);
    const loop = await engine
      .attributeSale({ code: bobCode, refereeRef: alice, refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx)
      .catch((e: unknown) => e);
    expect(loop).toBeInstanceOf(FraudRejectedError);
    expect(loop).toMatchObject({ code: 'fraud_rejected', status: 422, rules: ['referral_loop'] });
    expect(await engine.models.Referral.countDocuments({})).toBe(1);
    expect(eventsOf('referral:converted')).toHaveLength(1);
  });

  it('a custom guard sees the sale and the engine stores its reason', async () => {
    const { engine } = await createTestEngine(db.connection, {
      guards: [
        (input) =>
          (input.metadata?.amount as number) > 10_000 ? { outcome: 'flag', rule: 'big_ticket', reason: 'over 10k' } : { outcome: 'accept', rule: 'big_ticket' },
      ],
    });
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const r = await engine.repositories.referral.recordConversion(
      { code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order', metadata: { amount: 25_000 } },
      ctx,
    );
    expect(r.review?.results).toEqual([{ outcome: 'flag', rule: 'big_ticket', reason: 'over 10k' }]);
  });
});
