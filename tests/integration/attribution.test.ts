import { describe, expect, it } from 'vitest';
import { SelfReferralError } from '../../src/index.js';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();

const setup = async () => {
  const test = await createTestEngine(db.connection);
  const ctx = { ...newTenantContext(), correlationId: 'checkout-42', actorId: 'svc-checkout' };
  const creator = oid();
  const { code } = await test.engine.repositories.referralCode.generateCode(creator, 'user', ctx);
  return { ...test, ctx, creator, code };
};

describe('attributeSale', () => {
  it('resolves the code and records a converted referral with a referral:converted event', async () => {
    const { engine, ctx, creator, code, eventsOf } = await setup();
    const buyer = oid();
    const order = oid();
    const r = await engine.attributeSale(
      {
        code: code.toLowerCase(),
        refereeRef: buyer,
        refereeModel: 'user',
        sourceRef: order,
        sourceModel: 'Order',
        metadata: { amount: 4999, currency: 'USD' },
      },
      ctx,
    );
    expect(r).not.toBeNull();
    expect(r).toMatchObject({
      status: 'converted',
      code,
      referrerModel: 'user',
      refereeModel: 'user',
      sourceModel: 'Order',
      metadata: { amount: 4999, currency: 'USD' },
      approvals: null,
      version: 0,
    });
    expect(String(r?.referrerRef)).toBe(creator.toHexString());
    expect(String(r?.sourceRef)).toBe(order.toHexString());
    const events = eventsOf('referral:converted');
    expect(events).toHaveLength(1);
    expect(events[0]?.payload).toMatchObject({
      referralId: String(r?._id),
      referrerRef: creator.toHexString(),
      refereeRef: buyer.toHexString(),
      sourceRef: order.toHexString(),
      status: 'converted',
      underReview: false,
      code,
    });
    expect(events[0]?.meta).toMatchObject({
      organizationId: ctx.organizationId,
      correlationId: 'checkout-42',
      userId: 'svc-checkout',
      idempotencyKey: `referral:${r?._id}:converted`,
      source: '@classytic/referral',
    });
  });

  it('returns null for an unknown code and writes nothing', async () => {
    const { engine, ctx, eventsOf } = await setup();
    const r = await engine.attributeSale({ code: 'UNKNOWN9', refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);
    expect(r).toBeNull();
    expect(await engine.models.Referral.countDocuments({})).toBe(0);
    expect(eventsOf('referral:converted')).toHaveLength(0);
  });

  it('returns null for a deactivated code', async () => {
    const { engine, ctx, code } = await setup();
    await engine.repositories.referralCode.deactivate(code, ctx);
    expect(await engine.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx)).toBeNull();
  });

  it('is idempotent per sale: a replayed webhook returns the same referral and emits nothing more', async () => {
    const { engine, ctx, code, eventsOf } = await setup();
    const sale = { code, refereeRef: oid(), refereeModel: 'user', sourceRef: 'pi_3Nabc', sourceModel: 'StripePayment' };
    const first = await engine.attributeSale(sale, ctx);
    const replay = await engine.attributeSale({ ...sale, metadata: { replay: true } }, ctx);
    expect(String(replay?._id)).toBe(String(first?._id));
    expect(replay?.metadata).toBeNull();
    expect(eventsOf('referral:converted')).toHaveLength(1);
  });

  it('gives 20 concurrent calls for one order exactly one referral and one event', async () => {
    const { engine, ctx, code, eventsOf } = await setup();
    const order = oid();
    const buyer = oid();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => engine.attributeSale({ code, refereeRef: buyer, refereeModel: 'user', sourceRef: order, sourceModel: 'Order' }, ctx)),
    );
    expect(new Set(results.map((r) => String(r?._id))).size).toBe(1);
    expect(await engine.models.Referral.countDocuments({ sourceRef: order })).toBe(1);
    expect(eventsOf('referral:converted')).toHaveLength(1);
  });

  it('refuses a self-referral with self_referral (422) and writes nothing', async () => {
    const { engine, ctx, creator, code, eventsOf } = await setup();
    const error = await engine
      .attributeSale({ code, refereeRef: creator, refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SelfReferralError);
    expect(error).toMatchObject({ code: 'self_referral', status: 422 });
    expect(await engine.models.Referral.countDocuments({})).toBe(0);
    expect(eventsOf('referral:converted')).toHaveLength(0);
  });

  it('refuses bad input with validation_failed naming the field before any write', async () => {
    const { engine, ctx, code } = await setup();
    const error = await engine
      .attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: { $gt: '' } as never, sourceModel: 'Order' }, ctx)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'validation_failed', status: 422, field: 'input.sourceRef' });
    const unknownKey = await engine
      .attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order', organizationId: oid() } as never, ctx)
      .catch((e: unknown) => e);
    expect(unknownKey).toMatchObject({ code: 'validation_failed' });
    expect(await engine.models.Referral.countDocuments({})).toBe(0);
  });
});

describe('referral.recordConversion', () => {
  it('records by code and fails with code_not_found for an unknown code', async () => {
    const { engine, ctx, code } = await setup();
    const r = await engine.repositories.referral.recordConversion(
      { code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' },
      ctx,
    );
    expect(r.status).toBe('converted');
    await expect(
      engine.repositories.referral.recordConversion({ code: 'MISSING2', refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx),
    ).rejects.toMatchObject({ code: 'code_not_found', status: 404 });
  });

  it('records by a named referrer without a code', async () => {
    const { engine, ctx, eventsOf } = await setup();
    const referrer = oid();
    const r = await engine.repositories.referral.recordConversion(
      { referrerRef: referrer, referrerModel: 'affiliate', refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' },
      ctx,
    );
    expect(r).toMatchObject({ referrerModel: 'affiliate', code: null, codeId: null, status: 'converted' });
    expect(eventsOf('referral:converted').at(-1)?.payload).not.toHaveProperty('code');
  });

  it('refuses a named referrer who is the referee', async () => {
    const { engine, ctx } = await setup();
    const person = oid();
    await expect(
      engine.repositories.referral.recordConversion(
        { referrerRef: person, referrerModel: 'user', refereeRef: person.toHexString(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' },
        ctx,
      ),
    ).rejects.toMatchObject({ code: 'self_referral' });
  });

  it('requires exactly one of code and referrerRef', async () => {
    const { engine, ctx, code } = await setup();
    const both = await engine.repositories.referral
      .recordConversion(
        { code, referrerRef: oid(), referrerModel: 'user', refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' },
        ctx,
      )
      .catch((e: unknown) => e);
    expect(both).toMatchObject({ code: 'validation_failed' });
    const neither = await engine.repositories.referral
      .recordConversion({ refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx)
      .catch((e: unknown) => e);
    expect(neither).toMatchObject({ code: 'validation_failed', field: 'input.code' });
  });
});

describe('resolveReferrer', () => {
  it('returns the owner of a code, or null', async () => {
    const { engine, ctx, creator, code } = await setup();
    const resolved = await engine.resolveReferrer(` ${code.toLowerCase()}`, ctx);
    expect(resolved).toMatchObject({ ownerModel: 'user', code });
    expect(String(resolved?.ownerRef)).toBe(creator.toHexString());
    expect(await engine.resolveReferrer('ABSENT22', ctx)).toBeNull();
  });
});
