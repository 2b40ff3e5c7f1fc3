import { describe, expect, it } from 'vitest';
import type { FraudGuard } from '../../src/index.js';
import { createCluster } from '../harness/cluster.js';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, leadModel, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();
const DAY = 86_400_000;
const leadsOn = { attribution: { leads: true } } as const;

const setup = async (options: Parameters<typeof createTestEngine>[1] = leadsOn) => {
  const test = await createTestEngine(db.connection, options);
  const ctx = newTenantContext();
  const alice = oid();
  const bob = oid();
  const { code: aliceCode } = await test.engine.repositories.referralCode.generateCode(alice, 'user', ctx);
  const { code: bobCode } = await test.engine.repositories.referralCode.generateCode(bob, 'user', ctx);
  const sale = (refereeRef: unknown, extra: Record<string, unknown> = {}) =>
    test.engine.attributeSale({ refereeRef: refereeRef as string, refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order', ...extra }, ctx);
  return { ...test, ctx, alice, bob, aliceCode, bobCode, sale };
};

describe('signup: who referred whom', () => {
  it('records the lead once; a later sale without a code goes to its referrer and converts it once', async () => {
    const { engine, ctx, alice, aliceCode, sale, eventsOf } = await setup();
    const friend = oid();
    const lead = await engine.attributeSignup({ code: aliceCode, refereeRef: friend, refereeModel: 'user' }, ctx);
    expect(lead).toMatchObject({ status: 'signed_up', viaSale: false, firstConvertedAt: null, attribution: { rule: 'code' } });
    expect(String(lead?.referrerRef)).toBe(alice.toHexString());
    expect(eventsOf('referral:lead.created')).toHaveLength(1);
    const first = await sale(friend, { amount: 30, currency: 'USD' });
    expect(first).toMatchObject({ attribution: { rule: 'lead' } });
    expect(String(first?.referrerRef)).toBe(alice.toHexString());
    await sale(friend); // a renewal: a sale, not another converted lead
    const converted = eventsOf('referral:lead.converted');
    expect(converted).toHaveLength(1);
    expect(converted[0]?.payload).toMatchObject({
      firstForReferee: true,
      referralId: String(first?._id),
      refereeRef: friend.toHexString(),
      referrerRef: alice.toHexString(),
      amount: 30,
      currency: 'USD',
    });
    const page = await engine.listLeadsForReferrer(alice, { status: 'converted' }, ctx);
    expect(page.items.map((l) => String(l.refereeRef))).toEqual([friend.toHexString()]);
    expect(page.items[0]).toMatchObject({ status: 'converted', firstReferralId: first?._id });
    expect((await engine.repositories.referral.explain(friend, ctx)).leads).toHaveLength(1);
  });

  it('a lead beats a typed code of another referrer by default; leadPolicy "code" follows the code', async () => {
    const byLead = await setup();
    const friend = oid();
    await byLead.engine.attributeSignup({ code: byLead.aliceCode, refereeRef: friend, refereeModel: 'user' }, byLead.ctx);
    expect(String((await byLead.sale(friend, { code: byLead.bobCode }))?.referrerRef)).toBe(byLead.alice.toHexString());
    const byCode = await setup({ attribution: { leads: true, leadPolicy: 'code' } });
    await byCode.engine.attributeSignup({ code: byCode.aliceCode, refereeRef: friend, refereeModel: 'user' }, byCode.ctx);
    const r = await byCode.sale(friend, { code: byCode.bobCode });
    expect(String(r?.referrerRef)).toBe(byCode.bob.toHexString());
    expect(r?.attribution?.rule).toBe('code');
  });

  it('a lead older than leadWindowDays attributes nothing; a code still does', async () => {
    const { engine, ctx, aliceCode, bobCode, bob, sale } = await setup({ attribution: { leads: true, leadWindowDays: 1 } });
    const friend = oid();
    await engine.attributeSignup({ code: aliceCode, refereeRef: friend, refereeModel: 'user', signedUpAt: new Date(Date.now() - 3 * DAY) }, ctx);
    expect(await sale(friend)).toBeNull();
    expect(String((await sale(friend, { code: bobCode }))?.referrerRef)).toBe(bob.toHexString());
  });

  it('refuses self-referral and rejected signups, keeps flags, and writes nothing for an unusable code', async () => {
    const flagBig: FraudGuard = (input) => (input.metadata?.vip ? { outcome: 'flag', rule: 'vip' } : { outcome: 'accept', rule: 'vip' });
    const rejectAll: FraudGuard = (input) => (input.metadata?.bot ? { outcome: 'reject', rule: 'bot' } : { outcome: 'accept', rule: 'bot' });
    const { engine, ctx, alice, aliceCode, bobCode } = await setup({ attribution: { leads: true }, guards: [flagBig, rejectAll] });
    await expect(engine.attributeSignup({ code: aliceCode, refereeRef: alice, refereeModel: 'user' }, ctx)).rejects.toMatchObject({ code: 'self_referral' });
    await expect(engine.attributeSignup({ code: aliceCode, refereeRef: oid(), refereeModel: 'user', metadata: { bot: true } }, ctx)).rejects.toMatchObject({
      code: 'fraud_rejected',
    });
    const flagged = await engine.attributeSignup({ code: aliceCode, refereeRef: oid(), refereeModel: 'user', metadata: { vip: true } }, ctx);
    expect(flagged?.review).toMatchObject({ flagged: true, rules: ['vip'] });
    expect(await engine.attributeSignup({ code: 'NOSUCH22', refereeRef: oid(), refereeModel: 'user' }, ctx)).toBeNull();
    await engine.repositories.referralCode.deactivate(bobCode, ctx);
    expect(await engine.attributeSignup({ code: bobCode, refereeRef: oid(), refereeModel: 'user' }, ctx)).toBeNull();
    expect(await leadModel(engine).countDocuments({})).toBe(1);
  });

  it('a replay returns the lead; one through another referrer is replay_conflict', async () => {
    const { engine, ctx, aliceCode, bobCode } = await setup();
    const friend = oid();
    const first = await engine.attributeSignup({ code: aliceCode, refereeRef: friend, refereeModel: 'user' }, ctx);
    expect(String((await engine.attributeSignup({ code: aliceCode, refereeRef: friend, refereeModel: 'user' }, ctx))?._id)).toBe(String(first?._id));
    await expect(engine.attributeSignup({ code: bobCode, refereeRef: friend, refereeModel: 'user' }, ctx)).rejects.toMatchObject({
      code: 'replay_conflict',
      details: { fields: ['referrerRef'] },
    });
  });

  it('with leads off, attributeSignup says how to turn them on', async () => {
    const { engine, ctx, aliceCode } = await setup({});
    await expect(engine.attributeSignup({ code: aliceCode, refereeRef: oid(), refereeModel: 'user' }, ctx)).rejects.toMatchObject({
      code: 'validation_failed',
      field: 'attribution.leads',
    });
  });
});

describe('direct sales and races', () => {
  it('a first sale through a code records the lead, already converted, in the funnel', async () => {
    const { engine, ctx, alice, aliceCode, sale, eventsOf } = await setup();
    const buyer = oid();
    await sale(buyer, { code: aliceCode });
    const [lead] = (await engine.listLeadsForReferrer(alice, {}, ctx)).items;
    expect(lead).toMatchObject({ viaSale: true, status: 'converted' });
    expect(eventsOf('referral:lead.created')).toHaveLength(1);
    expect(eventsOf('referral:lead.converted')).toHaveLength(1);
  });

  it('50 concurrent signups of one referee on 4 connections: one lead, one event', async () => {
    const { pick, events, destroy } = await createCluster(db, 4, leadsOn);
    const ctx = newTenantContext();
    const { code } = await pick(0).repositories.referralCode.generateCode(oid(), 'user', ctx);
    const friend = oid();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => pick(i).attributeSignup({ code, refereeRef: friend, refereeModel: 'user' }, ctx)));
    expect(new Set(results.map((r) => String(r?._id))).size).toBe(1);
    expect(await leadModel(pick(0)).countDocuments({ refereeRef: friend })).toBe(1);
    expect(events.filter((e) => e.type === 'referral:lead.created')).toHaveLength(1);
    await destroy();
  });

  it('20 concurrent first orders of one referee: exactly one referral:lead.converted', async () => {
    const { pick, events, destroy } = await createCluster(db, 4, leadsOn);
    const ctx = newTenantContext();
    const { code } = await pick(0).repositories.referralCode.generateCode(oid(), 'user', ctx);
    const friend = oid();
    await pick(0).attributeSignup({ code, refereeRef: friend, refereeModel: 'user' }, ctx);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => pick(i).attributeSale({ refereeRef: friend, refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx)),
    );
    expect(events.filter((e) => e.type === 'referral:lead.converted')).toHaveLength(1);
    await destroy();
  });
});

describe('stats.funnel', () => {
  it('equals the hand-computed figures on a seeded data set, per referrer and per code', async () => {
    const { engine, ctx, alice, aliceCode, bob, bobCode, sale } = await setup();
    // Five visits by four visitors: v1 reloads.
    for (const visitor of ['v1', 'v1', 'v2', 'v3', 'v4']) await engine.trackVisit({ code: aliceCode, visitorId: visitor }, ctx);
    await engine.trackVisit({ code: bobCode, visitorId: 'v9' }, ctx);
    const [f1, f2, f3] = [oid(), oid(), oid()];
    for (const friend of [f1, f2, f3]) await engine.attributeSignup({ code: aliceCode, refereeRef: friend, refereeModel: 'user' }, ctx);
    const s1 = await sale(f1, { amount: 100, currency: 'USD' });
    await sale(f1, { amount: 50, currency: 'USD' });
    const s3 = await sale(f2, { amount: 20, currency: 'USD' });
    await engine.repositories.referral.approve(String(s1?._id), { decidedBy: 'm' }, ctx);
    await engine.repositories.referral.reverse(String(s3?._id), { refundKey: 'r', reason: 'refund' }, ctx);
    await sale(oid(), { code: bobCode, amount: 999, currency: 'USD' }); // bob's: a direct sale, not alice's
    const window = { from: new Date(Date.now() - DAY), to: new Date(Date.now() + DAY) };
    const expected = {
      visits: 5,
      uniqueVisitors: 4,
      leads: 3,
      convertedLeads: 2,
      sales: 3,
      approved: 1,
      reversed: 1,
      amounts: [{ currency: 'USD', sales: 3, gross: 170, reversed: 20, net: 150 }],
      rates: { signup: 3 / 4, conversion: 2 / 3, approval: 1 / 3 },
    };
    expect(await engine.stats.funnel({ referrerRef: alice, ...window }, ctx)).toEqual(expected);
    expect(await engine.stats.funnel({ code: aliceCode.toLowerCase(), ...window }, ctx)).toEqual(expected);
    expect(await engine.stats.funnel({ referrerRef: bob, ...window }, ctx)).toMatchObject({
      visits: 1,
      uniqueVisitors: 1,
      leads: 1,
      convertedLeads: 1,
      sales: 1,
      amounts: [{ currency: 'USD', sales: 1, gross: 999, reversed: 0, net: 999 }],
    });
    expect(await engine.stats.funnel({ referrerRef: alice, from: new Date(Date.now() + DAY), to: new Date(Date.now() + 2 * DAY) }, ctx)).toMatchObject({
      visits: 0,
      leads: 0,
      sales: 0,
      rates: { signup: null, conversion: null, approval: null },
    });
    await expect(engine.stats.funnel({ ...window }, ctx)).rejects.toMatchObject({ code: 'validation_failed', field: 'input.referrerRef' });
  });
});
