import { describe, expect, it } from 'vitest';
import type { ReferralEngine } from '../../src/index.js';
import { createCluster } from '../harness/cluster.js';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, leadModel, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();

const order = (refereeRef: ReturnType<typeof oid>, code?: string) => ({
  ...(code ? { code } : {}),
  refereeRef,
  refereeModel: 'user',
  sourceRef: oid(),
  sourceModel: 'Order',
  amount: 2500,
  currency: 'USD',
});

describe('leads outlive their codes', () => {
  it.each([
    ['deactivated', (engine: ReferralEngine, code: string, ctx: object) => engine.repositories.referralCode.deactivate(code, ctx)],
    ['soft-deleted', (engine: ReferralEngine, code: string, ctx: object) => engine.repositories.referralCode.softDelete(code, ctx)],
    [
      'expired',
      (engine: ReferralEngine, code: string, ctx: object) => engine.repositories.referralCode.setPolicy(code, { expiresAt: new Date(Date.now() + 30) }, ctx),
    ],
  ])('a friend who signed up through a code that was then %s still earns for its owner, by any later sale', async (_name, retire) => {
    const { engine } = await createTestEngine(db.connection, { attribution: { leads: true } });
    const ctx = newTenantContext();
    const [alice, bob, friend] = [oid(), oid(), oid()];
    const { code } = await engine.repositories.referralCode.generateCode(alice, 'user', ctx);
    const { code: bobCode } = await engine.repositories.referralCode.generateCode(bob, 'user', ctx);
    await engine.attributeSignup({ code, refereeRef: friend, refereeModel: 'user' }, ctx);
    await retire(engine, code, ctx);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { code: aliceNew } = await engine.repositories.referralCode.generateCode(alice, 'user', ctx);
    const sales = [await engine.attributeSale(order(friend), ctx), await engine.attributeSale(order(friend, bobCode), ctx)];
    if (aliceNew !== code) sales.push(await engine.attributeSale(order(friend, aliceNew), ctx));
    for (const sale of sales) {
      expect(String(sale?.referrerRef)).toBe(alice.toHexString());
      expect(sale?.attribution?.rule).toBe('lead');
    }
    expect(await engine.models.Referral.countDocuments({ voidedReason: { $exists: true } })).toBe(0);
  });
});

describe('suspending a referrer', () => {
  it('from its return on, no new sale or signup is credited to them through a code, a lead, a binding or a touch, in another process; replays answer as recorded', async () => {
    const { pick, events, destroy } = await createCluster(db, 2, { attribution: { leads: true, binding: 'lifetime' } });
    const [admin, checkout] = [pick(0), pick(1)];
    const ctx = newTenantContext();
    const alice = oid();
    const { code } = await admin.repositories.referralCode.generateCode(alice, 'user', ctx);
    const [leadFriend, boundFriend] = [oid(), oid()];
    await checkout.attributeSignup({ code, refereeRef: leadFriend, refereeModel: 'user' }, ctx);
    const recorded = order(boundFriend, code);
    const first = await checkout.attributeSale(recorded, ctx); // binds boundFriend; the code is now in checkout's cache
    await checkout.trackVisit({ code, visitorId: 'visitor-1' }, ctx);

    await admin.referrers.suspend({ referrerRef: alice, reason: 'chargeback ring' }, ctx);

    expect(await checkout.attributeSale(order(oid(), code), ctx)).toBeNull();
    expect(await checkout.attributeSale(order(leadFriend), ctx)).toBeNull();
    expect(await checkout.attributeSale(order(boundFriend), ctx)).toBeNull();
    expect(await checkout.attributeSale({ ...order(oid()), visitorId: 'visitor-1' }, ctx)).toBeNull();
    expect(await checkout.attributeSignup({ code, refereeRef: oid(), refereeModel: 'user' }, ctx)).toBeNull();
    expect(await checkout.attributeSignup({ visitorId: 'visitor-1', refereeRef: oid(), refereeModel: 'user' }, ctx)).toBeNull();
    await expect(checkout.repositories.referral.recordConversion(order(oid(), code), ctx)).rejects.toMatchObject({ code: 'referrer_suspended', status: 409 });
    expect(String((await checkout.attributeSale(recorded, ctx))?._id)).toBe(String(first?._id));

    const credited = await admin.models.Referral.countDocuments({ referrerRef: alice, deletedAt: null });
    expect(credited).toBe(1);
    expect(await leadModel(admin).countDocuments({ referrerRef: alice, deletedAt: null })).toBe(2); // leadFriend's and boundFriend's, both from before
    expect(events.filter((e) => e.type === 'referral:converted')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'referral:referrer.suspended')).toHaveLength(1);

    await admin.referrers.suspend({ referrerRef: alice, reason: 'again' }, ctx);
    expect(events.filter((e) => e.type === 'referral:referrer.suspended')).toHaveLength(1);
    const resumed = await admin.referrers.resume({ referrerRef: alice }, ctx);
    expect(resumed).toMatchObject({ suspendedAt: null, resumedAt: expect.any(Date) });
    expect(events.filter((e) => e.type === 'referral:referrer.resumed')).toHaveLength(1);
    expect(String((await checkout.attributeSale(order(leadFriend), ctx))?.referrerRef)).toBe(alice.toHexString());
    expect(await admin.referrers.resume({ referrerRef: oid() }, ctx)).toBeNull();
    await destroy();
  });

  it('sales in flight across two processes while suspend() runs: none is credited after it returned, and a voided sale emitted nothing', async () => {
    const { pick, events, destroy } = await createCluster(db, 2);
    const ctx = newTenantContext();
    const alice = oid();
    const { code } = await pick(0).repositories.referralCode.generateCode(alice, 'user', ctx);
    await pick(1).attributeSale(order(oid(), code), ctx); // warm both caches
    await pick(0).attributeSale(order(oid(), code), ctx);
    const live = () => pick(0).models.Referral.countDocuments({ referrerRef: alice, deletedAt: null });
    // Sales start 2 ms apart; the suspension starts among them, so some stand before it and some meet it.
    const inFlight: Promise<unknown>[] = [];
    let suspension: Promise<unknown> = Promise.resolve();
    for (let i = 0; i < 50; i++) {
      inFlight.push(pick(i).attributeSale(order(oid(), code), ctx));
      if (i === 25) suspension = pick(1).referrers.suspend({ referrerRef: alice, reason: 'review' }, ctx);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await suspension;
    const liveWhenSuspended = await live();
    const afterwards = await Promise.all(Array.from({ length: 10 }, (_, i) => pick(i).attributeSale(order(oid(), code), ctx)));
    const settled = await Promise.all(inFlight);
    expect(afterwards.every((r) => r === null)).toBe(true);
    const finalLive = await live();
    expect(finalLive).toBe(liveWhenSuspended);
    expect(settled.filter((r) => r !== null)).toHaveLength(finalLive - 2);
    // The race took place: some sales in flight stood before the suspension, and some were refused by it.
    expect(settled.some((r) => r !== null)).toBe(true);
    expect(settled.some((r) => r === null)).toBe(true);
    expect(events.filter((e) => e.type === 'referral:converted')).toHaveLength(finalLive);
    expect(await pick(0).models.Referral.countDocuments({ unconfirmedAt: { $exists: true } })).toBe(0);
    await destroy();
  });

  it('holds with the deactivation fence off and the code cached: the standing is read for every new sale', async () => {
    const { engine } = await createTestEngine(db.connection, { codes: { deactivationFence: false, cache: { ttlMs: 60_000, max: 10 } } });
    const ctx = newTenantContext();
    const alice = oid();
    const { code } = await engine.repositories.referralCode.generateCode(alice, 'user', ctx);
    expect(await engine.attributeSale(order(oid(), code), ctx)).not.toBeNull(); // the code is cached now
    await engine.referrers.suspend({ referrerRef: alice, reason: 'review' }, ctx);
    expect(await engine.attributeSale(order(oid(), code), ctx)).toBeNull();
    await engine.referrers.resume({ referrerRef: alice }, ctx);
    expect(await engine.attributeSale(order(oid(), code), ctx)).not.toBeNull();
  });

  it('is tenant-scoped and validates its input', async () => {
    const { engine } = await createTestEngine(db.connection);
    const [a, b] = [newTenantContext(), newTenantContext()];
    const alice = oid();
    const { code } = await engine.repositories.referralCode.generateCode(alice, 'user', a);
    const { code: codeB } = await engine.repositories.referralCode.generateCode(alice, 'user', b);
    await engine.referrers.suspend({ referrerRef: alice, reason: 'only in b' }, b);
    expect(await engine.attributeSale(order(oid(), codeB), b)).toBeNull();
    expect(String((await engine.attributeSale(order(oid(), code), a))?.referrerRef)).toBe(alice.toHexString());
    await expect(engine.referrers.suspend({ referrerRef: alice, reason: '' }, a)).rejects.toMatchObject({ code: 'validation_failed', field: 'input.reason' });
    await expect(engine.referrers.suspend({ referrerRef: { $gt: '' } as never, reason: 'x' }, a)).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(engine.referrers.suspend({ referrerRef: alice, reason: 'x' }, {})).rejects.toMatchObject({ code: 'tenant_required' });
  });
});
