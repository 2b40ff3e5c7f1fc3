import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();

const setup = async () => {
  const test = await createTestEngine(db.connection);
  const ctx = { ...newTenantContext(), actorId: 'billing-webhook' };
  const { code } = await test.engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
  const sell = async (amount?: number) => {
    const r = await test.engine.attributeSale(
      { code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order', ...(amount === undefined ? {} : { amount, currency: 'USD' }) },
      ctx,
    );
    return String(r?._id);
  };
  return { ...test, ctx, sell, repo: test.engine.repositories.referral };
};

describe('referral.reverse', () => {
  it('a full refund moves an approved referral to reversed and emits referral:reversed', async () => {
    const { repo, ctx, sell, eventsOf } = await setup();
    const id = await sell(4900);
    await repo.approve(id, { decidedBy: 'm' }, ctx);
    const reversed = await repo.reverse(id, { reason: 'customer refund', refundKey: 're_123' }, ctx);
    expect(reversed).toMatchObject({ status: 'reversed', reversedAmount: 4900 });
    expect(reversed.reversals).toEqual([
      expect.objectContaining({ refundKey: 're_123', amount: 4900, reason: 'customer refund', reversedBy: 'billing-webhook' }),
    ]);
    const [event] = eventsOf('referral:reversed');
    expect(event?.payload).toMatchObject({
      status: 'reversed',
      refundKey: 're_123',
      amount: 4900,
      reversedAmount: 4900,
      convertedAmount: 4900,
      currency: 'USD',
      fullyReversed: true,
    });
    expect(event?.meta.idempotencyKey).toBe(`referral:${id}:reversed:re_123`);
  });

  it('records partial refunds, keeps the status until nothing is left, and never exceeds the amount', async () => {
    const { repo, ctx, sell, eventsOf } = await setup();
    const id = await sell(100);
    expect(await repo.reverse(id, { reason: 'partial', refundKey: 're_1', amount: 30, currency: 'USD' }, ctx)).toMatchObject({
      status: 'converted',
      reversedAmount: 30,
    });
    await expect(repo.reverse(id, { reason: 'too much', refundKey: 're_2', amount: 71, currency: 'USD' }, ctx)).rejects.toMatchObject({
      code: 'validation_failed',
      field: 'input.amount',
    });
    expect(await repo.reverse(id, { reason: 'rest', refundKey: 're_3' }, ctx)).toMatchObject({ status: 'reversed', reversedAmount: 100 });
    expect(eventsOf('referral:reversed').map((e) => (e.payload as { fullyReversed: boolean }).fullyReversed)).toEqual([false, true]);
  });

  it('is idempotent per refund key: a replayed webhook changes nothing and emits nothing', async () => {
    const { repo, ctx, sell, eventsOf } = await setup();
    const id = await sell(100);
    const first = await repo.reverse(id, { reason: 'chargeback', refundKey: 'dp_9', amount: 40, currency: 'USD' }, ctx);
    const replay = await repo.reverse(id, { reason: 'chargeback', refundKey: 'dp_9', amount: 40, currency: 'USD' }, ctx);
    expect(replay.version).toBe(first.version);
    expect(replay.reversedAmount).toBe(40);
    expect(eventsOf('referral:reversed')).toHaveLength(1);
  });

  it('concurrent refunds with different keys never add up to more than the sale', async () => {
    const { repo, ctx, sell } = await setup();
    const id = await sell(100);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => repo.reverse(id, { reason: 'split', refundKey: `re_${i}`, amount: 30, currency: 'USD' }, ctx)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const final = await repo.findById(id, ctx);
    expect(final?.reversedAmount).toBe(90);
    expect(final?.reversals).toHaveLength(3);
  });

  it('refuses rejected referrals and blocks review after a reversal', async () => {
    const { repo, ctx, sell } = await setup();
    const rejected = await sell();
    await repo.reject(rejected, { decidedBy: 'm', reason: 'fraud' }, ctx);
    await expect(repo.reverse(rejected, { reason: 'refund', refundKey: 're_x' }, ctx)).rejects.toMatchObject({ code: 'invalid_transition', status: 409 });
    const reversed = await sell();
    await repo.reverse(reversed, { reason: 'refund', refundKey: 're_y' }, ctx);
    await expect(repo.approve(reversed, { decidedBy: 'm' }, ctx)).rejects.toMatchObject({ code: 'invalid_transition' });
    await expect(repo.reverse(reversed, { reason: 'again', refundKey: 're_z', amount: 1, currency: 'USD' }, ctx)).rejects.toMatchObject({
      code: 'invalid_transition',
    });
  });

  it('refuses a refund in another currency, a fraction of a minor unit, and an amount without its currency', async () => {
    const { repo, ctx, sell } = await setup();
    const id = await sell(9999);
    await expect(repo.reverse(id, { reason: 'x', refundKey: 're_eur', amount: 100, currency: 'EUR' }, ctx)).rejects.toMatchObject({
      code: 'validation_failed',
      field: 'input.currency',
    });
    await expect(repo.reverse(id, { reason: 'x', refundKey: 're_frac', amount: 33.33, currency: 'USD' }, ctx)).rejects.toMatchObject({
      code: 'validation_failed',
      field: 'input.amount',
    });
    await expect(repo.reverse(id, { reason: 'x', refundKey: 're_bare', amount: 100 }, ctx)).rejects.toMatchObject({
      code: 'validation_failed',
      field: 'input.currency',
    });
    for (const key of ['a', 'b', 'c']) await repo.reverse(id, { reason: 'partial', refundKey: `re_${key}`, amount: 3333, currency: 'usd' }, ctx);
    expect(await repo.findById(id, ctx)).toMatchObject({ status: 'reversed', reversedAmount: 9999 });
  });

  it('validates the refund key and amount', async () => {
    const { repo, ctx, sell } = await setup();
    const id = await sell(10);
    await expect(repo.reverse(id, { reason: 'x', refundKey: '{"$gt":""}' }, ctx)).rejects.toMatchObject({
      code: 'validation_failed',
      field: 'input.refundKey',
    });
    await expect(repo.reverse(id, { reason: 'x', refundKey: 're', amount: -5, currency: 'USD' }, ctx)).rejects.toMatchObject({
      code: 'validation_failed',
      field: 'input.amount',
    });
  });
});
