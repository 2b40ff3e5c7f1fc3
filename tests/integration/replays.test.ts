import type { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { createCluster } from '../harness/cluster.js';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();

const sale = (code: string, sourceRef: Types.ObjectId, refereeRef: Types.ObjectId) => ({
  code,
  refereeRef,
  refereeModel: 'user',
  sourceRef,
  sourceModel: 'Order',
});

describe('capped codes and replays', () => {
  it('50 concurrent calls covering 5 orders on a code capped at 5 record all 5, and every caller gets its order', async () => {
    const { pick, events, destroy } = await createCluster(db, 4);
    const ctx = newTenantContext();
    const { code, _id: codeId } = await pick(0).repositories.referralCode.generateCode(oid(), 'user', ctx, { maxConversions: 5 });
    const orders = Array.from({ length: 5 }, () => ({ order: oid(), buyer: oid() }));
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        pick(i)
          .attributeSale(sale(code, orders[i % 5]!.order, orders[i % 5]!.buyer), ctx)
          .then((r) => ({ i, r })),
      ),
    );
    for (const { i, r } of results) expect(String(r?.sourceRef), `call ${i}`).toBe(String(orders[i % 5]!.order));
    expect(await pick(0).models.Referral.countDocuments({ codeId, deletedAt: null })).toBe(5);
    expect((await pick(0).models.ReferralCode.findById(codeId).lean())?.conversions).toBe(5);
    expect(events.filter((e) => e.type === 'referral:converted')).toHaveLength(5);
    await destroy();
  });

  it('50 concurrent calls for ONE order on a code capped at 1 all get the recorded referral', async () => {
    const { pick, destroy } = await createCluster(db, 4);
    const ctx = newTenantContext();
    const { code } = await pick(0).repositories.referralCode.generateCode(oid(), 'user', ctx, { maxConversions: 1 });
    const order = oid();
    const buyer = oid();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => pick(i).attributeSale(sale(code, order, buyer), ctx)));
    expect(results.every((r) => r !== null)).toBe(true);
    expect(new Set(results.map((r) => String(r?._id))).size).toBe(1);
    await destroy();
  });

  it('a cap of 7 admits exactly 7 of 30 distinct concurrent sales', async () => {
    const { pick, events, destroy } = await createCluster(db, 4);
    const ctx = newTenantContext();
    const { code, _id: codeId } = await pick(0).repositories.referralCode.generateCode(oid(), 'user', ctx, { maxConversions: 7 });
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => pick(i).attributeSale(sale(code, oid(), oid()), ctx)));
    expect(results.filter((r) => r !== null)).toHaveLength(7);
    expect(await pick(0).models.Referral.countDocuments({ codeId, deletedAt: null })).toBe(7);
    expect((await pick(0).models.ReferralCode.findById(codeId).lean())?.conversions).toBe(7);
    expect(events.filter((e) => e.type === 'referral:converted')).toHaveLength(7);
    await destroy();
  });

  it('the answer for a recorded sale does not change once its code is full, deactivated or expired', async () => {
    const { engine } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx, { maxConversions: 1 });
    const first = sale(code, oid(), oid());
    const recorded = await engine.attributeSale(first, ctx);
    expect(recorded).not.toBeNull();
    const same = (r: { _id: unknown } | null) => expect(String(r?._id)).toBe(String(recorded?._id));

    same(await engine.attributeSale(first, ctx)); // full
    same(await engine.repositories.referral.recordConversion(first, ctx));
    expect(await engine.attributeSale(sale(code, oid(), oid()), ctx)).toBeNull();
    await expect(engine.repositories.referral.recordConversion(sale(code, oid(), oid()), ctx)).rejects.toMatchObject({ code: 'code_limit_reached' });

    await engine.repositories.referralCode.setPolicy(code, { expiresAt: new Date(Date.now() - 1000) }, ctx);
    same(await engine.attributeSale(first, ctx)); // expired
    same(await engine.repositories.referral.recordConversion(first, ctx));
    await engine.repositories.referralCode.deactivate(code, ctx);
    same(await engine.attributeSale(first, ctx)); // deactivated
    same(await engine.repositories.referral.recordConversion(first, ctx));
  });

  it('a replay never takes a slot', async () => {
    const { engine } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const { code, _id: codeId } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx, { maxConversions: 2 });
    const first = sale(code, oid(), oid());
    for (let i = 0; i < 5; i++) await engine.attributeSale(first, ctx);
    expect((await engine.models.ReferralCode.findById(codeId).lean())?.conversions).toBe(1);
    expect(await engine.attributeSale(sale(code, oid(), oid()), ctx)).not.toBeNull();
  });
});

describe('conflicting replays', () => {
  it('the same order with another referee or through another referrer is refused with replay_conflict and writes nothing', async () => {
    const { engine, events } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const { code: otherCode } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const order = oid();
    const buyer = oid();
    const recorded = await engine.attributeSale({ ...sale(code, order, buyer), amount: 10, currency: 'USD', metadata: { note: 'first' } }, ctx);
    const eventsBefore = events.length;
    const countBefore = await engine.models.Referral.countDocuments({});

    await expect(engine.attributeSale(sale(code, order, oid()), ctx)).rejects.toMatchObject({
      code: 'replay_conflict',
      status: 409,
      details: { fields: ['refereeRef'] },
    });
    await expect(engine.attributeSale(sale(otherCode, order, buyer), ctx)).rejects.toMatchObject({
      code: 'replay_conflict',
      status: 409,
      details: { fields: ['referrerRef'] },
    });
    await expect(engine.repositories.referral.recordConversion({ ...sale(code, order, buyer), refereeModel: 'customer' }, ctx)).rejects.toMatchObject({
      code: 'replay_conflict',
      details: { fields: ['refereeModel'] },
    });
    await expect(
      engine.repositories.referral.recordConversion(
        { referrerRef: oid(), referrerModel: 'user', refereeRef: buyer, refereeModel: 'user', sourceRef: order, sourceModel: 'Order' },
        ctx,
      ),
    ).rejects.toMatchObject({
      code: 'replay_conflict',
      details: { fields: ['referrerRef'] },
    });
    // Money is never rewritten by a replay: another amount or currency is a conflict.
    await expect(engine.attributeSale({ ...sale(code, order, buyer), amount: 99, currency: 'USD' }, ctx)).rejects.toMatchObject({
      code: 'replay_conflict',
      details: { fields: ['amount'] },
    });
    await expect(engine.attributeSale({ ...sale(code, order, buyer), amount: 10, currency: 'EUR' }, ctx)).rejects.toMatchObject({
      code: 'replay_conflict',
      details: { fields: ['currency'] },
    });
    // Metadata may differ on a replay, and amounts may be left out: it answers with the first record.
    const replay = await engine.attributeSale({ ...sale(code, order, buyer), metadata: { note: 'retry' } }, ctx);
    expect(String(replay?._id)).toBe(String(recorded?._id));
    expect(replay).toMatchObject({ amount: 10, currency: 'USD', metadata: { note: 'first' } });
    expect(events.length).toBe(eventsBefore);
    expect(await engine.models.Referral.countDocuments({})).toBe(countBefore);
  });

  it('a replay through a deactivated code that was not the recorded one is a conflict', async () => {
    const { engine } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const { code: otherCode } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const order = oid();
    const buyer = oid();
    await engine.attributeSale(sale(code, order, buyer), ctx);
    await engine.repositories.referralCode.deactivate(otherCode, ctx);
    await expect(engine.attributeSale(sale(otherCode, order, buyer), ctx)).rejects.toMatchObject({ code: 'replay_conflict', details: { fields: ['code'] } });
  });
});

describe('concurrent partial refunds', () => {
  it('50 concurrent refunds of 1 with distinct keys on a sale of 100 all succeed', async () => {
    const { pick, events, destroy } = await createCluster(db, 4);
    const ctx = newTenantContext();
    const { code } = await pick(0).repositories.referralCode.generateCode(oid(), 'user', ctx);
    const referral = await pick(0).attributeSale({ ...sale(code, oid(), oid()), amount: 100, currency: 'USD' }, ctx);
    const id = String(referral?._id);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        pick(i).repositories.referral.reverse(id, { refundKey: `re_${i}`, reason: 'refund', amount: 1, currency: 'USD' }, ctx),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason)).toEqual([]);
    const final = await pick(0).repositories.referral.findById(id, ctx);
    expect(final?.reversedAmount).toBe(50);
    expect(final?.reversals).toHaveLength(50);
    expect(final?.status).toBe('converted');
    expect(events.filter((e) => e.type === 'referral:reversed')).toHaveLength(50);
    await destroy();
  });
});
