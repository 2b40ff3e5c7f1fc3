import { Schema } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { type CreateReferralOptions, createReferral } from '../../src/index.js';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, leadModel, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();

describe('what a host developer trips over', () => {
  it('a misspelled option fails at construction, naming it and the options allowed there', async () => {
    const typo = { connection: db.connection, tenat: false } as unknown as CreateReferralOptions;
    await expect(createReferral(typo)).rejects.toMatchObject({ code: 'validation_failed', validationErrors: [{ path: 'tenat' }] });
    await expect(createReferral(typo)).rejects.toThrow(/options here are connection, tenant, /);
    const nested = { connection: db.connection, codes: { lenght: 10 } } as unknown as CreateReferralOptions;
    await expect(createReferral(nested)).rejects.toMatchObject({ validationErrors: [{ path: 'codes.lenght' }] });
    // Nothing was registered by a refused engine: the same prefix can be used right after.
    const engine = await createReferral({ connection: db.connection });
    await engine.destroy();
  });

  it('a numeric actorId is taken as its decimal string, as primitives maps it', async () => {
    const { engine } = await createTestEngine(db.connection);
    const ctx = { ...newTenantContext(), actorId: 4711 as unknown as string };
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const sale = await engine.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);
    const stored = await engine.models.Referral.collection.findOne({ _id: sale?._id });
    expect(stored?.actors).toEqual(['4711']);
    await expect(engine.repositories.referralCode.generateCode(oid(), 'user', { ...ctx, actorId: 1.5 as unknown as string })).rejects.toMatchObject({
      validationErrors: [{ path: 'ctx.actorId', error: 'Expected a string id, a whole number or an id object (ObjectId)' }],
    });
  });

  it('a ref of the wrong type says what a ref is', async () => {
    const { engine } = await createTestEngine(db.connection);
    await expect(engine.repositories.referralCode.generateCode(42 as unknown as string, 'user', newTenantContext())).rejects.toMatchObject({
      validationErrors: [{ path: 'ownerRef', error: 'Expected an ObjectId or a non-empty string id' }],
    });
    await expect(engine.stats.leaderboard({} as never, newTenantContext())).rejects.toMatchObject({
      validationErrors: [
        { path: 'options.from', error: 'Expected a Date' },
        { path: 'options.to', error: 'Expected a Date' },
      ],
    });
  });

  it("raw models queries find refs by an ObjectId's hex string, as the verbs store them; string ids and mongoose's global types are untouched", async () => {
    const { engine } = await createTestEngine(db.connection, { attribution: { leads: true } });
    const ctx = newTenantContext();
    const owner = oid();
    const friend = oid();
    const { code } = await engine.repositories.referralCode.generateCode(owner.toHexString(), 'user', ctx);
    await engine.repositories.referralCode.generateCode('creator-42', 'user', ctx);
    await engine.attributeSignup({ code, refereeRef: friend, refereeModel: 'user' }, ctx);
    await engine.attributeSale({ code, refereeRef: friend.toHexString(), refereeModel: 'user', sourceRef: 'order-1', sourceModel: 'Order' }, ctx);
    const { ReferralCode, Referral, ReferralTouch, ReferralRollup } = engine.models;
    const hex = owner.toHexString();
    expect(await ReferralCode.countDocuments({ ownerRef: hex })).toBe(1);
    expect(await ReferralCode.countDocuments({ ownerRef: hex.toUpperCase() })).toBe(1);
    expect(await ReferralCode.countDocuments({ ownerRef: { $in: [hex, 'creator-42'] } })).toBe(2);
    expect(await ReferralCode.countDocuments({ ownerRef: { $ne: hex } })).toBe(1);
    expect(await ReferralCode.countDocuments({ ownerRef: 'creator-42' })).toBe(1);
    expect(await Referral.countDocuments({ referrerRef: hex, refereeRef: friend.toHexString() })).toBe(1);
    expect(await Referral.find({ referrerRef: [hex] }).lean()).toHaveLength(1);
    expect(await leadModel(engine).countDocuments({ refereeRef: friend.toHexString() })).toBe(1);
    await engine.stats.forReferrer(owner, ctx);
    expect(await ReferralRollup.countDocuments({ referrerRef: hex })).toBeGreaterThan(0);
    expect(await ReferralTouch.countDocuments({ ownerRef: hex })).toBe(0);
    // Only the engine's own paths cast: a host schema's Mixed path still takes a string as a string.
    const Host = db.connection.model('HostThing', new Schema<{ ownerRef: unknown }>({ ownerRef: Schema.Types.Mixed }));
    await Host.collection.insertOne({ ownerRef: hex });
    expect(await Host.countDocuments({ ownerRef: hex })).toBe(1);
    const castOf = (type: unknown) => (type as { castForQuery: unknown }).castForQuery;
    expect(castOf(Schema.Types.Mixed.prototype)).not.toBe(castOf(ReferralCode.schema.path('ownerRef')));
  });
});
