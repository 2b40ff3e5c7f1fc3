import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();

describe('erasure', () => {
  it('eraseReferee anonymizes refs and drops metadata while statuses and counts stay', async () => {
    const { engine } = await createTestEngine(db.connection, { erasure: { secret: 'test-secret' } });
    const ctx = newTenantContext();
    const creator = oid();
    const { code } = await engine.repositories.referralCode.generateCode(creator, 'user', ctx);
    const buyer = oid();
    const first = await engine.attributeSale(
      { code, refereeRef: buyer, refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order', metadata: { email: 'buyer@example.com', amount: 20 } },
      ctx,
    );
    await engine.attributeSale({ code, refereeRef: buyer, refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);
    await engine.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);
    await engine.repositories.referral.approve(String(first?._id), { decidedBy: 'm' }, ctx);

    expect(await engine.repositories.referral.eraseReferee(buyer, ctx)).toEqual({ erased: 2 });
    const raw = await engine.models.Referral.collection.find({}).toArray();
    expect(JSON.stringify(raw)).not.toContain(buyer.toHexString());
    expect(JSON.stringify(raw)).not.toContain('buyer@example.com');
    const erased = raw.filter((r) => r.erasedAt);
    expect(erased).toHaveLength(2);
    expect(new Set(erased.map((r) => r.refereeRef)).size).toBe(1); // the same stand-in: counts per person stay
    expect(String(erased[0]?.refereeRef)).toMatch(/^erased:[0-9a-f]{40}$/);
    expect(erased.map((r) => r.metadata)).toEqual([null, null]);
    const stats = await engine.stats.forReferrer(creator, ctx);
    expect(stats).toMatchObject({ total: 3, byStatus: { approved: 1, converted: 2 } });
    expect(await engine.repositories.referral.eraseReferee(buyer, ctx)).toEqual({ erased: 0 });
  });

  it('scrubs events still waiting in the outbox', async () => {
    const { engine } = await createTestEngine(db.connection, {
      events: { transport: { name: 'down', publish: async () => Promise.reject(new Error('down')), subscribe: async () => () => {} }, onError: () => {} },
    });
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const buyer = oid();
    await engine.attributeSale({ code, refereeRef: buyer, refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order', metadata: { note: 'private' } }, ctx);
    await engine.repositories.referral.eraseReferee(buyer, ctx);
    const [doc] = await engine.models.Referral.collection.find({}).toArray();
    expect(doc?.outbox).toHaveLength(1);
    expect(JSON.stringify(doc?.outbox)).not.toContain(buyer.toHexString());
    expect(JSON.stringify(doc?.outbox)).not.toContain('private');
  });

  it('eraseOwner deactivates and anonymizes every code of the owner; the codes stay unusable', async () => {
    const { engine, eventsOf } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const owner = oid();
    const { code } = await engine.repositories.referralCode.generateCode(owner, 'user', ctx);
    await engine.repositories.referralCode.claimVanityCode(owner, 'user', 'ERASE-ME', ctx);
    expect(await engine.repositories.referralCode.eraseOwner(owner, 'user', ctx)).toEqual({ erased: 2 });
    expect(await engine.resolveReferrer(code, ctx)).toBeNull();
    expect(await engine.resolveReferrer('ERASE-ME', ctx)).toBeNull();
    const raw = await engine.models.ReferralCode.collection.find({}).toArray();
    expect(JSON.stringify(raw)).not.toContain(owner.toHexString());
    expect(raw.every((c) => c.active === false && c.erasedAt instanceof Date)).toBe(true);
    await expect(engine.repositories.referralCode.claimVanityCode(oid(), 'user', 'ERASE-ME', ctx)).rejects.toMatchObject({ code: 'code_taken' });
    const deactivated = eventsOf('referral:code.deactivated');
    expect(deactivated).toHaveLength(2);
    expect(JSON.stringify(deactivated)).not.toContain(owner.toHexString());
    expect((await engine.repositories.referralCode.generateCode(owner, 'user', ctx)).code).not.toBe(code); // a new start, if they come back
  });
});

/** Every stored document of the engine, as text: a raw ref anywhere in it is a copy left behind. */
const everything = async (engine: Awaited<ReturnType<typeof createTestEngine>>['engine']) => {
  const collections = Object.values(engine.models);
  return JSON.stringify(await Promise.all(collections.map((model) => model.collection.find({}).toArray())));
};

describe('erasure of every copy', () => {
  const downTransport = { name: 'down', publish: async () => Promise.reject(new Error('down')), subscribe: async () => () => {} };

  it('eraseReferee leaves the raw ref in no collection, no pending and no parked event; explain() no longer finds it', async () => {
    const { engine } = await createTestEngine(db.connection, {
      attribution: { binding: 'lifetime', leads: true },
      events: { transport: downTransport, onError: () => {}, maxDeliveryAttempts: 1 },
    });
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const buyer = oid();
    await engine.trackVisit({ code, visitorId: 'cookie-erase' }, ctx);
    await engine.attributeSignup({ code, refereeRef: buyer, refereeModel: 'user', metadata: { email: 'friend@example.com' } }, ctx);
    await engine.attributeSale({ visitorId: 'cookie-erase', refereeRef: buyer, refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx); // parked at once
    expect((await engine.events.parked(ctx)).map((p) => p.event.type).sort()).toEqual([
      'referral:code.created',
      'referral:converted',
      'referral:lead.converted',
      'referral:lead.created',
    ]);
    expect(await everything(engine)).toContain(buyer.toHexString());
    await engine.repositories.referral.eraseReferee(buyer, ctx);
    expect(await everything(engine)).not.toContain(buyer.toHexString());
    expect(JSON.stringify(await engine.events.parked(ctx))).not.toContain(buyer.toHexString());
    const explained = await engine.repositories.referral.explain(buyer, ctx);
    expect(explained).toMatchObject({ binding: null, referrals: [], leads: [] });
    expect(await everything(engine)).not.toContain('friend@example.com');
  });

  it('eraseOwner leaves the raw ref in no code, referral, touch, binding, lead, standing (nor its reason), pending or parked event', async () => {
    const { engine } = await createTestEngine(db.connection, {
      attribution: { binding: 'lifetime', leads: true },
      events: { transport: downTransport, onError: () => {}, maxDeliveryAttempts: 2 },
    });
    const ctx = newTenantContext();
    const owner = oid();
    const { code } = await engine.repositories.referralCode.generateCode(owner, 'user', ctx);
    await engine.trackVisit({ code, visitorId: 'cookie-owner' }, ctx);
    await engine.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);
    await engine.events.redeliver(ctx); // the code's and the sale's events are parked now
    await engine.attributeSale({ visitorId: 'cookie-owner', refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx); // pending
    await engine.referrers.suspend({ referrerRef: owner, reason: `owner ${owner.toHexString()} under review` }, ctx); // a standing, its event pending
    expect((await engine.events.parked(ctx)).length).toBeGreaterThanOrEqual(2);
    expect(await everything(engine)).toContain(owner.toHexString());
    await engine.repositories.referralCode.eraseOwner(owner, 'user', ctx);
    expect(await everything(engine)).not.toContain(owner.toHexString());
    expect((await engine.stats.forReferrer(owner, ctx)).total).toBe(0);
  });
});

describe('erasure of the person as the actor of calls', () => {
  /** A consumer whose error names the person the event is about, as real ones do. */
  const namingTransport = {
    name: 'naming',
    publish: async (event: { payload: unknown }) => {
      const { refereeRef, ownerRef } = event.payload as { refereeRef?: string; ownerRef?: string };
      throw new Error(`reward for user ${refereeRef ?? ownerRef} failed`);
    },
    subscribe: async () => () => {},
  };

  it('eraseReferee also reaches the referee as ctx.actorId: event meta, decisions, reversals, and a parked error naming them', async () => {
    const buyer = oid();
    const { engine } = await createTestEngine(db.connection, {
      attribution: { leads: true },
      events: { transport: namingTransport, onError: () => {}, maxDeliveryAttempts: 1 },
    });
    const tenant = newTenantContext();
    const asBuyer = { ...tenant, actorId: buyer };
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', tenant);
    await engine.attributeSignup({ code, refereeRef: buyer, refereeModel: 'user' }, asBuyer);
    const own = await engine.attributeSale(
      { code, refereeRef: buyer, refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order', amount: 50, currency: 'USD' },
      asBuyer,
    );
    await engine.repositories.referral.reverse(String(own?._id), { refundKey: 'r1', reason: 'changed my mind', amount: 10, currency: 'USD' }, asBuyer);
    // The buyer also acted on someone else's referral (a self-service flow that let them).
    const other = await engine.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, tenant);
    await engine.repositories.referral.approve(String(other?._id), { decidedBy: buyer.toHexString() }, asBuyer);
    expect(await everything(engine)).toContain(buyer.toHexString());
    expect(JSON.stringify(await engine.events.parked(tenant))).toContain(`reward for user ${buyer.toHexString()}`);

    await engine.repositories.referral.eraseReferee(buyer, tenant);
    expect(await everything(engine)).not.toContain(buyer.toHexString());
  });

  it('eraseOwner also reaches the owner as ctx.actorId: their own code calls, their decisions, their events', async () => {
    const owner = oid();
    const { engine } = await createTestEngine(db.connection, {
      attribution: { leads: true },
      events: { transport: namingTransport, onError: () => {}, maxDeliveryAttempts: 2 },
    });
    const tenant = newTenantContext();
    const asOwner = { ...tenant, actorId: owner };
    const { code } = await engine.repositories.referralCode.generateCode(owner, 'user', asOwner);
    await engine.repositories.referralCode.claimVanityCode(owner, 'user', 'OWNERS', asOwner);
    const sale = await engine.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, tenant);
    await engine.repositories.referral.approve(String(sale?._id), { decidedBy: owner.toHexString() }, asOwner);
    await engine.attributeSignup({ code: 'OWNERS', refereeRef: oid(), refereeModel: 'user' }, asOwner);
    await engine.events.redeliver(tenant); // some parked, some pending
    expect(await everything(engine)).toContain(owner.toHexString());

    await engine.repositories.referralCode.eraseOwner(owner, 'user', tenant);
    expect(await everything(engine)).not.toContain(owner.toHexString());
  });
});
