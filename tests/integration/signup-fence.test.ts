import { describe, expect, it } from 'vitest';
import type { FraudGuard } from '../../src/index.js';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, leadModel, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();

/** A guard that holds every call until `release()`; `inGuard` resolves once a call is held in it. */
const heldGuard = () => {
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let entered: () => void = () => {};
  const inGuard = new Promise<void>((resolve) => (entered = resolve));
  const slow: FraudGuard = async () => {
    entered();
    await held;
    return { outcome: 'accept', rule: 'test.slow' };
  };
  return { slow, inGuard, release };
};

describe('signups pass the same fence as sales', () => {
  it('a signup through a visit to a since-deactivated code returns null and stores nothing, as the sale does', async () => {
    const { engine, events } = await createTestEngine(db.connection, { attribution: { leads: true } });
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    await engine.trackVisit({ code, visitorId: 'v-1' }, ctx);
    await engine.repositories.referralCode.deactivate(code, ctx);
    expect(await engine.attributeSignup({ visitorId: 'v-1', refereeRef: oid(), refereeModel: 'user' }, ctx)).toBeNull();
    expect(await leadModel(engine).collection.countDocuments({})).toBe(0);
    expect(await engine.attributeSale({ visitorId: 'v-1', refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx)).toBeNull();
    expect(events.filter((e) => e.type === 'referral:lead.created' || e.type === 'referral:converted')).toEqual([]);
  });

  it('a code deactivated while a signup through it is being decided voids the lead: null, no event, nothing live', async () => {
    const { slow, inGuard, release } = heldGuard();
    const { engine, events } = await createTestEngine(db.connection, { attribution: { leads: true }, guards: [slow] });
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const signup = engine.attributeSignup({ code, refereeRef: oid(), refereeModel: 'user' }, ctx);
    await inGuard;
    await engine.repositories.referralCode.deactivate(code, ctx);
    release();
    expect(await signup).toBeNull();
    expect(await leadModel(engine).countDocuments({ deletedAt: null })).toBe(0);
    expect(await leadModel(engine).countDocuments({ voidedReason: 'code_deactivated' })).toBe(1);
    expect(events.filter((e) => e.type === 'referral:lead.created')).toEqual([]);
  });

  it('a signup whose guard runs while eraseOwner runs never stores the raw ref and publishes nothing after the erasure returned', async () => {
    const { slow, inGuard, release } = heldGuard();
    const { engine, events } = await createTestEngine(db.connection, { attribution: { leads: true }, guards: [slow], erasure: { secret: 's3cret' } });
    const ctx = newTenantContext();
    const alice = oid();
    const { code } = await engine.repositories.referralCode.generateCode(alice, 'user', ctx);
    const signup = engine.attributeSignup({ code, refereeRef: oid(), refereeModel: 'user' }, ctx);
    await inGuard;
    await engine.repositories.referralCode.eraseOwner(alice, 'user', ctx);
    const publishedBefore = events.length;
    release();
    expect(await signup).toBeNull();
    await engine.events.redeliver();
    expect(events.slice(publishedBefore)).toEqual([]);
    // A raw scan of every collection: the erased ref is nowhere.
    for (const model of Object.values(engine.models)) {
      const docs = await model.collection.find({}).toArray();
      expect(JSON.stringify(docs)).not.toContain(alice.toHexString());
    }
  });
});
