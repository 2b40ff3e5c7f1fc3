import { describe, expect, it } from 'vitest';
import type { CreateReferralOptions } from '../../src/index.js';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();
const DAY = 86_400_000;

const setup = async (options: Partial<CreateReferralOptions> = {}) => {
  const test = await createTestEngine(db.connection, options);
  const ctx = newTenantContext();
  const alice = oid();
  const bob = oid();
  const aliceCode = (await test.engine.repositories.referralCode.generateCode(alice, 'user', ctx)).code;
  const bobCode = (await test.engine.repositories.referralCode.generateCode(bob, 'user', ctx)).code;
  const buy = (fields: { code?: string; visitorId?: string; refereeRef?: ReturnType<typeof oid> }) =>
    test.engine.attributeSale(
      {
        refereeRef: fields.refereeRef ?? oid(),
        refereeModel: 'user',
        sourceRef: oid(),
        sourceModel: 'Order',
        ...(fields.code ? { code: fields.code } : {}),
        ...(fields.visitorId ? { visitorId: fields.visitorId } : {}),
      },
      ctx,
    );
  return { ...test, ctx, alice, bob, aliceCode, bobCode, buy };
};

describe('trackVisit', () => {
  it('stores a touch for a live code, null for an unknown one, and refuses a future instant', async () => {
    const { engine, ctx, alice, aliceCode } = await setup();
    const touch = await engine.trackVisit({ code: aliceCode.toLowerCase(), visitorId: 'cookie-1' }, ctx);
    expect(touch).toMatchObject({ visitorId: 'cookie-1', code: aliceCode });
    expect(String(touch?.ownerRef)).toBe(alice.toHexString());
    expect(await engine.trackVisit({ code: 'NOSUCH22', visitorId: 'cookie-1' }, ctx)).toBeNull();
    await expect(engine.trackVisit({ code: aliceCode, visitorId: 'cookie-1', at: new Date(Date.now() + DAY) }, ctx)).rejects.toMatchObject({
      code: 'validation_failed',
      field: 'input.at',
    });
    await expect(engine.trackVisit({ code: aliceCode, visitorId: '{"$ne":1}' }, ctx)).rejects.toMatchObject({
      code: 'validation_failed',
      field: 'input.visitorId',
    });
  });

  it('declares a TTL index that expires raw touches after touchTtlDays', async () => {
    const { engine } = await setup({ attribution: { windowDays: 7, touchTtlDays: 14 } });
    const ttl = (await engine.models.ReferralTouch.collection.listIndexes().toArray()).find((i) => i.name === 'rf_touch_ttl');
    expect(ttl).toMatchObject({ key: { at: 1 }, expireAfterSeconds: 14 * 86_400 });
  });
});

describe('attribution by touches', () => {
  it('last touch (default) wins within the window and the rule is stored and emitted', async () => {
    const { engine, ctx, bob, aliceCode, bobCode, buy, eventsOf } = await setup();
    await engine.trackVisit({ code: aliceCode, visitorId: 'v1', at: new Date(Date.now() - 3 * DAY) }, ctx);
    await engine.trackVisit({ code: bobCode, visitorId: 'v1', at: new Date(Date.now() - DAY) }, ctx);
    const r = await buy({ visitorId: 'v1' });
    expect(String(r?.referrerRef)).toBe(bob.toHexString());
    expect(r?.attribution).toMatchObject({ rule: 'last_touch', visitorId: 'v1' });
    expect(eventsOf('referral:converted').at(-1)?.payload).toMatchObject({ attribution: { rule: 'last_touch' }, code: bobCode });
  });

  it('first touch wins when configured', async () => {
    const { engine, ctx, alice, aliceCode, bobCode, buy } = await setup({ attribution: { model: 'first_touch' } });
    await engine.trackVisit({ code: aliceCode, visitorId: 'v2', at: new Date(Date.now() - 3 * DAY) }, ctx);
    await engine.trackVisit({ code: bobCode, visitorId: 'v2', at: new Date(Date.now() - DAY) }, ctx);
    const r = await buy({ visitorId: 'v2' });
    expect(String(r?.referrerRef)).toBe(alice.toHexString());
    expect(r?.attribution?.rule).toBe('first_touch');
  });

  it('touches outside the window do not count', async () => {
    const { engine, ctx, aliceCode, buy } = await setup({ attribution: { windowDays: 7 } });
    await engine.trackVisit({ code: aliceCode, visitorId: 'v3', at: new Date(Date.now() - 8 * DAY) }, ctx);
    expect(await buy({ visitorId: 'v3' })).toBeNull();
    expect(await buy({ visitorId: 'never-seen' })).toBeNull();
    expect(await buy({})).toBeNull();
  });

  it('a typed code beats any touch, and a touch through your own code is a self-referral', async () => {
    const { engine, ctx, alice, bob, aliceCode, bobCode, buy } = await setup();
    await engine.trackVisit({ code: bobCode, visitorId: 'v4' }, ctx);
    const r = await buy({ code: aliceCode, visitorId: 'v4' });
    expect(String(r?.referrerRef)).toBe(alice.toHexString());
    expect(r?.attribution?.rule).toBe('code');
    await expect(buy({ visitorId: 'v4', refereeRef: bob })).rejects.toMatchObject({ code: 'self_referral' });
  });
});

describe('lifetime binding', () => {
  it('binds a referee to the first referrer for every later sale, and explain() shows why', async () => {
    const { engine, ctx, alice, aliceCode, bobCode, buy } = await setup({ attribution: { binding: 'lifetime' } });
    const carol = oid();
    const first = await buy({ code: aliceCode, refereeRef: carol });
    expect(first?.attribution?.rule).toBe('code');
    const second = await buy({ code: bobCode, refereeRef: carol });
    expect(String(second?.referrerRef)).toBe(alice.toHexString());
    expect(second?.attribution?.rule).toBe('lifetime_binding');
    const third = await buy({ refereeRef: carol });
    expect(String(third?.referrerRef)).toBe(alice.toHexString());

    const why = await engine.repositories.referral.explain(carol, ctx);
    expect(why.policy).toEqual({
      model: 'last_touch',
      windowDays: 30,
      leads: false,
      leadPolicy: 'lead',
      leadWindowDays: null,
      rule: expect.stringMatching(/^a lead within leadWindowDays/),
      binding: 'lifetime',
    });
    expect(String(why.binding?.referrerRef)).toBe(alice.toHexString());
    expect(why.referrals.map((r) => r.attribution?.rule).sort()).toEqual(['code', 'lifetime_binding', 'lifetime_binding']);
  });

  it('concurrent first sales bind the referee once (first bind wins)', async () => {
    const { engine, ctx, aliceCode, bobCode, buy } = await setup({ attribution: { binding: 'lifetime' } });
    const dave = oid();
    await Promise.all(Array.from({ length: 10 }, (_, i) => buy({ code: i % 2 === 0 ? aliceCode : bobCode, refereeRef: dave })));
    expect(await engine.models.ReferralBinding.countDocuments({ refereeRef: dave })).toBe(1);
    const bound = await engine.models.ReferralBinding.collection.findOne({ refereeRef: dave });
    const later = await buy({ code: bobCode, refereeRef: dave });
    expect(String(later?.referrerRef)).toBe(String(bound?.referrerRef));
    expect((await engine.repositories.referral.explain(dave, ctx)).binding).not.toBeNull();
  });

  it('a refused sale binds nobody', async () => {
    const { engine, ctx, alice, aliceCode, bobCode, buy } = await setup({ attribution: { binding: 'lifetime' } });
    await expect(buy({ code: aliceCode, refereeRef: alice })).rejects.toMatchObject({ code: 'self_referral' });
    expect(await engine.models.ReferralBinding.countDocuments({})).toBe(0);
    const r = await buy({ code: bobCode, refereeRef: alice });
    expect(r?.attribution?.rule).toBe('code');
    expect((await engine.repositories.referral.explain(alice, ctx)).binding).not.toBeNull();
  });

  it('per-sale binding (default) attributes each sale on its own', async () => {
    const { bob, aliceCode, bobCode, buy } = await setup();
    const erin = oid();
    await buy({ code: aliceCode, refereeRef: erin });
    expect(String((await buy({ code: bobCode, refereeRef: erin }))?.referrerRef)).toBe(bob.toHexString());
  });
});

describe('attribution config', () => {
  it('refuses unusable settings', async () => {
    const refusal = (option: string) => ({ code: 'validation_failed', status: 422, field: option });
    await expect(createTestEngine(db.connection, { attribution: { windowDays: 0 } })).rejects.toMatchObject(refusal('attribution.windowDays'));
    await expect(createTestEngine(db.connection, { attribution: { windowDays: 30, touchTtlDays: 7 } })).rejects.toMatchObject(
      refusal('attribution.touchTtlDays'),
    );
    await expect(createTestEngine(db.connection, { attribution: { model: 'linear' as never } })).rejects.toMatchObject(refusal('attribution.model'));
  });
});
