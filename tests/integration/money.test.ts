import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, leadModel, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();

const DAY = 86_400_000;

describe('money on a sale', () => {
  it('is stored as given in minor units with its currency (upper-cased) and carried by referral:converted and referral:lead.converted', async () => {
    const { engine, eventsOf } = await createTestEngine(db.connection, { attribution: { leads: true } });
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const r = await engine.attributeSale(
      { code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order', amount: 4999, currency: 'jpy' },
      ctx,
    );
    expect(r).toMatchObject({ amount: 4999, currency: 'JPY' });
    expect(eventsOf('referral:converted')[0]?.payload).toMatchObject({ amount: 4999, currency: 'JPY', qualifying: true });
    expect(eventsOf('referral:lead.converted')[0]?.payload).toMatchObject({ amount: 4999, currency: 'JPY' });
    const none = await engine.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);
    expect(none).toMatchObject({ amount: null, currency: null });
    expect(eventsOf('referral:converted')[1]?.payload).not.toHaveProperty('amount');
  });

  it('a 0-amount sale is recorded but qualifies for nothing: no lead conversion, no binding, no slot of a capped code, no leaderboard conversion', async () => {
    const { engine, eventsOf } = await createTestEngine(db.connection, { attribution: { leads: true, binding: 'lifetime' } });
    const ctx = newTenantContext();
    const [alice, bob, friend] = [oid(), oid(), oid()];
    const { code } = await engine.repositories.referralCode.generateCode(alice, 'user', ctx, { maxConversions: 1 });
    const { code: bobCode } = await engine.repositories.referralCode.generateCode(bob, 'user', ctx);
    const sale = (amount: number, via?: string) =>
      engine.attributeSale(
        { ...(via ? { code: via } : {}), refereeRef: friend, refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order', amount, currency: 'USD' },
        ctx,
      );
    const free = await sale(0, code);
    expect(free).toMatchObject({ status: 'converted', amount: 0 });
    expect(free?.slot).toBeUndefined();
    expect(eventsOf('referral:converted')[0]?.payload).toMatchObject({ amount: 0, qualifying: false });
    expect(eventsOf('referral:lead.converted')).toEqual([]);
    // The free order still anchors who referred the friend: their lead is Alice's, not yet converted.
    expect(await leadModel(engine).findOne({ refereeRef: friend }).lean()).toMatchObject({ status: 'signed_up', viaSale: true });
    expect(await engine.models.ReferralBinding.countDocuments({})).toBe(0);
    // The cap's one slot is still free, and the friend's first paid order (through Bob's code) goes to Alice's lead and converts it.
    const paid = await sale(1500, bobCode);
    expect(String(paid?.referrerRef)).toBe(alice.toHexString());
    expect(eventsOf('referral:lead.converted')).toHaveLength(1);
    expect(eventsOf('referral:lead.converted')[0]?.payload).toMatchObject({ referralId: String(paid?._id), amount: 1500 });
    expect(await engine.models.ReferralBinding.countDocuments({})).toBe(1);
    expect(
      await engine.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order', amount: 100, currency: 'USD' }, ctx),
    ).not.toBeNull();
    const board = await engine.stats.leaderboard({ from: new Date(Date.now() - DAY), to: new Date(Date.now() + DAY), currency: 'USD' }, ctx);
    expect(board).toEqual([
      { referrerRef: alice, referrerModel: 'user', conversions: 2, amount: { currency: 'USD', sales: 2, gross: 1600, reversed: 0, net: 1600 } },
    ]);
    const funnel = await engine.stats.funnel({ referrerRef: alice, from: new Date(Date.now() - DAY), to: new Date(Date.now() + DAY) }, ctx);
    expect(funnel).toMatchObject({ sales: 3, leads: 2, convertedLeads: 2, amounts: [{ currency: 'USD', sales: 3, gross: 1600, net: 1600 }] });
  });

  it('explain shows the touches behind a lead', async () => {
    const { engine } = await createTestEngine(db.connection, { attribution: { leads: true } });
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    await engine.trackVisit({ code, visitorId: 'cookie-7' }, ctx);
    await engine.trackVisit({ code, visitorId: 'cookie-7' }, ctx);
    const friend = oid();
    await engine.attributeSignup({ visitorId: 'cookie-7', refereeRef: friend, refereeModel: 'user' }, ctx);
    const explained = await engine.repositories.referral.explain(friend, ctx);
    expect(explained.referrals).toEqual([]);
    expect(explained.leads[0]?.attribution).toMatchObject({ rule: 'last_touch', visitorId: 'cookie-7' });
    expect(explained.touches.map((t) => t.visitorId)).toEqual(['cookie-7', 'cookie-7']);
  });
});
