import { describe, expect, it } from 'vitest';
import { createCluster } from '../harness/cluster.js';
import { useTestDatabase } from '../harness/database.js';
import { newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();
const cluster = (size: number) => createCluster(db, size);

describe('races under load', () => {
  it('50 concurrent attributeSale calls for one order on 4 connections record 1 referral and 1 event', async () => {
    const { pick, events, destroy } = await cluster(4);
    const ctx = newTenantContext();
    const { code } = await pick(0).repositories.referralCode.generateCode(oid(), 'user', ctx);
    const order = oid();
    const buyer = oid();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        pick(i).attributeSale({ code, refereeRef: buyer, refereeModel: 'user', sourceRef: order, sourceModel: 'Order' }, ctx),
      ),
    );
    expect(new Set(results.map((r) => String(r?._id))).size).toBe(1);
    expect(await pick(0).models.Referral.countDocuments({ sourceRef: order })).toBe(1);
    expect(events.filter((e) => e.type === 'referral:converted')).toHaveLength(1);
    await destroy();
  });

  it('50 concurrent generateCode calls per owner for 20 owners on 4 connections give 20 codes', async () => {
    const { pick, events, destroy } = await cluster(4);
    const ctx = newTenantContext();
    const owners = Array.from({ length: 20 }, () => oid());
    const calls = owners.flatMap((owner, o) => Array.from({ length: 50 }, (_, i) => pick(o + i).repositories.referralCode.generateCode(owner, 'user', ctx)));
    const results = await Promise.all(calls);
    const codeByOwner = new Map<string, Set<string>>();
    for (const r of results) codeByOwner.set(String(r.ownerRef), (codeByOwner.get(String(r.ownerRef)) ?? new Set()).add(r.code));
    expect(codeByOwner.size).toBe(20);
    expect([...codeByOwner.values()].every((codes) => codes.size === 1)).toBe(true);
    expect(await pick(0).models.ReferralCode.countDocuments({})).toBe(20);
    expect(events.filter((e) => e.type === 'referral:code.created')).toHaveLength(20);
    await destroy();
  });

  it('concurrent approvals and rejections on 4 connections have one winner per referral', async () => {
    const { pick, events, destroy } = await cluster(4);
    const ctx = newTenantContext();
    const { code } = await pick(0).repositories.referralCode.generateCode(oid(), 'user', ctx);
    const referrals = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        pick(i).attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx),
      ),
    );
    await Promise.all(
      referrals.flatMap((r, i) =>
        Array.from({ length: 6 }, (_, j) =>
          (j % 2 === 0
            ? pick(i + j).repositories.referral.approve(String(r?._id), { decidedBy: `m${j}` }, ctx)
            : pick(i + j).repositories.referral.reject(String(r?._id), { decidedBy: `m${j}`, reason: 'race' }, ctx)
          ).catch((error: unknown) => expect(error).toMatchObject({ code: 'invalid_transition' })),
        ),
      ),
    );
    for (const r of referrals) {
      const decided = events.filter((e) => (e.type === 'referral:approved' || e.type === 'referral:rejected') && e.meta.resourceId === String(r?._id));
      expect(decided).toHaveLength(1);
      const final = await pick(0).repositories.referral.findById(String(r?._id), ctx);
      expect(final?.decisions).toHaveLength(1);
      expect(final?.status).toBe(decided[0]?.type === 'referral:approved' ? 'approved' : 'rejected');
    }
    await destroy();
  });

  it('a code deactivated while sales come in gains no conversion after deactivate() returns', async () => {
    const { pick, events, destroy } = await cluster(3);
    const ctx = newTenantContext();
    const { code, _id: codeId } = await pick(0).repositories.referralCode.generateCode(oid(), 'user', ctx);
    const live = () => pick(0).models.Referral.countDocuments({ codeId, deletedAt: null });
    const attempt = (i: number) => pick(i).attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);

    const inFlight = Array.from({ length: 60 }, (_, i) => attempt(i));
    await pick(1).repositories.referralCode.deactivate(code, ctx);
    const liveWhenDeactivated = await live();
    const afterwards = await Promise.all(Array.from({ length: 10 }, (_, i) => attempt(i)));
    const settled = await Promise.all(inFlight);

    expect(afterwards.every((r) => r === null)).toBe(true);
    const finalLive = await live();
    expect(finalLive).toBeLessThanOrEqual(liveWhenDeactivated);
    // A call that returned a referral kept it; a call that returned null left nothing live.
    expect(settled.filter((r) => r !== null)).toHaveLength(finalLive);
    // Voided conversions emitted nothing: every published conversion is a live referral.
    expect(events.filter((e) => e.type === 'referral:converted')).toHaveLength(finalLive);
    await destroy();
  });
});
