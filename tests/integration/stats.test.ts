import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();

type Money = { amount: number; currency: string };

describe('stats', () => {
  const setup = async () => {
    const { engine } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const record = (referrer: ReturnType<typeof oid>, money?: Money) =>
      engine.repositories.referral.recordConversion(
        { referrerRef: referrer, referrerModel: 'user', refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order', ...money },
        ctx,
      );
    return { engine, ctx, record };
  };

  it('forReferrer counts by status and totals money per currency: gross, reversed and net, never summed across currencies', async () => {
    const { engine, ctx, record } = await setup();
    const creator = oid();
    const a = await record(creator, { amount: 5000, currency: 'USD' });
    const b = await record(creator, { amount: 5000, currency: 'USD' });
    const c = await record(creator, { amount: 1700, currency: 'USD' });
    await record(creator, { amount: 900, currency: 'JPY' });
    await record(creator);
    await record(oid(), { amount: 999, currency: 'USD' });
    await engine.repositories.referral.approve(a._id, { decidedBy: 'm' }, ctx);
    await engine.repositories.referral.reject(b._id, { decidedBy: 'm', reason: 'refund' }, ctx);
    await engine.repositories.referral.reverse(a._id, { reason: 'partial', refundKey: 'r1', amount: 3000, currency: 'USD' }, ctx);
    await engine.repositories.referral.reverse(c._id, { reason: 'whole', refundKey: 'r2' }, ctx);
    expect(await engine.stats.forReferrer(creator, ctx)).toEqual({
      total: 5,
      byStatus: { converted: 2, approved: 1, rejected: 1, reversed: 1 },
      amounts: [
        { currency: 'JPY', sales: 1, gross: 900, reversed: 0, net: 900 },
        { currency: 'USD', sales: 2, gross: 6700, reversed: 4700, net: 2000 },
      ],
    });
  });

  it('a negative, fractional or currency-less amount is refused and changes no total', async () => {
    const { engine, ctx, record } = await setup();
    const creator = oid();
    await record(creator, { amount: 5000, currency: 'USD' });
    for (const [money, field] of [
      [{ amount: -1, currency: 'USD' }, 'input.amount'],
      [{ amount: 33.33, currency: 'USD' }, 'input.amount'],
      [{ amount: 2 ** 53, currency: 'USD' }, 'input.amount'],
      [{ amount: 100, currency: 'usx' }, 'input.currency'],
      [{ amount: 100, currency: 'US' }, 'input.currency'],
      [{ amount: 100 }, 'input.currency'],
      [{ currency: 'USD' }, 'input.amount'],
    ] as const) {
      await expect(record(creator, money as Money)).rejects.toMatchObject({ code: 'validation_failed', field });
    }
    expect((await engine.stats.forReferrer(creator, ctx)).amounts).toEqual([{ currency: 'USD', sales: 1, gross: 5000, reversed: 0, net: 5000 }]);
  });

  it('leaderboard ranks referrers by qualifying conversions; with a currency, by net amount in it alone', async () => {
    const { engine, ctx, record } = await setup();
    const [first, second, third] = [oid(), oid(), oid()];
    const from = new Date(Date.now() - 1_000);
    for (let i = 0; i < 3; i++) await record(first as ReturnType<typeof oid>, { amount: 10, currency: 'USD' });
    await record(first as ReturnType<typeof oid>, { amount: 0, currency: 'USD' }); // a free order: no conversion
    await record(second as ReturnType<typeof oid>, { amount: 500, currency: 'USD' });
    await record(second as ReturnType<typeof oid>, { amount: 100_000, currency: 'JPY' });
    const rejected = await record(second as ReturnType<typeof oid>, { amount: 500, currency: 'USD' });
    await engine.repositories.referral.reject(rejected._id, { decidedBy: 'm', reason: 'fraud' }, ctx);
    await record(third as ReturnType<typeof oid>, { amount: 5, currency: 'USD' });
    const to = new Date(Date.now() + 1_000);
    const board = await engine.stats.leaderboard({ from, to, limit: 2 }, ctx);
    expect(board.map((e) => [String(e.referrerRef), e.conversions, e.amount])).toEqual([
      [String(first), 3, null],
      [String(second), 2, null],
    ]);
    const usd = await engine.stats.leaderboard({ from, to, currency: 'usd' }, ctx);
    expect(usd.map((e) => [String(e.referrerRef), e.amount?.net])).toEqual([
      [String(second), 500],
      [String(first), 30],
      [String(third), 5],
    ]);
    expect(usd[0]?.amount).toEqual({ currency: 'USD', sales: 1, gross: 500, reversed: 0, net: 500 });
    const jpy = await engine.stats.leaderboard({ from, to, currency: 'JPY' }, ctx);
    expect(jpy.map((e) => [String(e.referrerRef), e.amount?.net])).toEqual([[String(second), 100_000]]);
    expect(await engine.stats.leaderboard({ from: to, to: new Date(to.getTime() + 1_000) }, ctx)).toEqual([]);
    await expect(engine.stats.leaderboard({ from: to, to: from }, ctx)).rejects.toMatchObject({ code: 'validation_failed', field: 'options.to' });
  });
});
