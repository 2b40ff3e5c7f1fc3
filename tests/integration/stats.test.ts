import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();

describe('stats', () => {
  const setup = async () => {
    const { engine } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const record = (referrer: ReturnType<typeof oid>, metadata?: Record<string, unknown>) =>
      engine.repositories.referral.recordConversion(
        {
          referrerRef: referrer,
          referrerModel: 'user',
          refereeRef: oid(),
          refereeModel: 'user',
          sourceRef: oid(),
          sourceModel: 'Order',
          ...(metadata ? { metadata } : {}),
        },
        ctx,
      );
    return { engine, ctx, record };
  };

  it('forReferrer counts by status and sums numeric metadata.amount', async () => {
    const { engine, ctx, record } = await setup();
    const creator = oid();
    const a = await record(creator, { amount: 100 });
    const b = await record(creator, { amount: 50 });
    await record(creator, { amount: 'not a number' });
    await record(creator);
    await record(oid(), { amount: 999 });
    await engine.repositories.referral.approve(a._id, { decidedBy: 'm' }, ctx);
    await engine.repositories.referral.reject(b._id, { decidedBy: 'm', reason: 'refund' }, ctx);
    await engine.repositories.referral.reverse(a._id, { reason: 'partial', refundKey: 'r1', amount: 30 }, ctx);
    const stats = await engine.stats.forReferrer(creator, ctx);
    expect(stats).toEqual({
      total: 4,
      byStatus: { converted: 2, approved: 1, rejected: 1, reversed: 0 },
      amount: { total: 150, byStatus: { converted: 0, approved: 100, rejected: 50, reversed: 0 }, reversed: 30 },
    });
  });

  it('leaderboard ranks referrers by conversions in a window, leaving out rejected ones by default', async () => {
    const { engine, ctx, record } = await setup();
    const [first, second, third] = [oid(), oid(), oid()];
    const from = new Date(Date.now() - 1_000);
    for (let i = 0; i < 3; i++) await record(first as ReturnType<typeof oid>, { amount: 10 });
    await record(second as ReturnType<typeof oid>, { amount: 500 });
    const rejected = await record(second as ReturnType<typeof oid>, { amount: 500 });
    await engine.repositories.referral.reject(rejected._id, { decidedBy: 'm', reason: 'fraud' }, ctx);
    await record(third as ReturnType<typeof oid>, { amount: 5 });
    const to = new Date(Date.now() + 1_000);
    const board = await engine.stats.leaderboard({ from, to, limit: 2 }, ctx);
    expect(board.map((e) => [String(e.referrerRef), e.conversions, e.amount])).toEqual([
      [String(first), 3, 30],
      [String(second), 1, 500],
    ]);
    expect(await engine.stats.leaderboard({ from: to, to: new Date(to.getTime() + 1_000) }, ctx)).toEqual([]);
    await expect(engine.stats.leaderboard({ from: to, to: from }, ctx)).rejects.toMatchObject({ code: 'validation_failed', field: 'options.to' });
  });
});
