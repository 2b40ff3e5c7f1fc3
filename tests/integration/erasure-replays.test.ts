import { describe, expect, it } from 'vitest';
import { createCluster } from '../harness/cluster.js';
import { useTestDatabase } from '../harness/database.js';
import { newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();

describe('replays after an erasure, across processes', () => {
  it('a sale replayed through a process that cached the code before its owner was erased gets the record, as every process does', async () => {
    const { engines, destroy } = await createCluster(db, 2, { erasure: { secret: 's' } });
    const [a, b] = engines as [(typeof engines)[number], (typeof engines)[number]];
    const ctx = newTenantContext();
    const owner = oid();
    const { code } = await a.repositories.referralCode.generateCode(owner, 'user', ctx);
    const sale = { code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' };
    const recorded = await b.attributeSale(sale, ctx); // B resolves the code and caches it
    expect(recorded?.referrerRef).toEqual(owner);
    await a.repositories.referralCode.eraseOwner(owner, 'user', ctx);

    const viaA = await a.attributeSale(sale, ctx);
    const viaB = await b.attributeSale(sale, ctx);
    expect(String(viaA?._id)).toBe(String(recorded?._id));
    expect(String(viaB?._id)).toBe(String(recorded?._id));
    expect(viaB?.referrerRef).toEqual(viaA?.referrerRef);
    expect(String(viaB?.referrerRef)).toMatch(/^erased:/);
    for (const engine of [a, b]) {
      const replayed = await engine.repositories.referral.recordConversion(sale, ctx);
      expect(String(replayed._id)).toBe(String(recorded?._id));
    }
    await destroy();
  });
});
