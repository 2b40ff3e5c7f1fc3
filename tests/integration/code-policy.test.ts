import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();

const sale = (code: string, sourceRef: unknown = oid(), refereeRef: unknown = oid()) => ({
  code,
  refereeRef: refereeRef as string,
  refereeModel: 'user',
  sourceRef: sourceRef as string,
  sourceModel: 'Order',
});

describe('code policy', () => {
  it('stores expiresAt, maxConversions, campaign and metadata given at creation', async () => {
    const { engine } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const expiresAt = new Date(Date.now() + 86_400_000);
    const doc = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx, {
      expiresAt,
      maxConversions: 3,
      campaign: 'spring-2026',
      metadata: { tier: 'gold' },
    });
    expect(doc).toMatchObject({ kind: 'generated', maxConversions: 3, conversions: 0, campaign: 'spring-2026', metadata: { tier: 'gold' } });
    expect(doc.expiresAt?.getTime()).toBe(expiresAt.getTime());
    expect(await engine.resolveReferrer(doc.code, ctx)).toMatchObject({ campaign: 'spring-2026', maxConversions: 3 });
  });

  it('an expired code resolves to nothing and attributes nothing', async () => {
    const { engine } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx, { expiresAt: new Date(Date.now() - 1_000) });
    expect(await engine.resolveReferrer(code, ctx)).toBeNull();
    expect(await engine.repositories.referralCode.lookupByCode(code, ctx)).toBeNull();
    expect(await engine.attributeSale(sale(code), ctx)).toBeNull();
    await engine.repositories.referralCode.setPolicy(code, { expiresAt: null }, ctx);
    expect(await engine.attributeSale(sale(code), ctx)).not.toBeNull();
  });

  it('maxConversions is never exceeded, even by 30 concurrent sales; replays use no slot', async () => {
    const { engine, eventsOf } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const { code, _id } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx, { maxConversions: 5 });
    const order = oid();
    const buyer = oid();
    const first = await engine.attributeSale(sale(code, order, buyer), ctx);
    await engine.attributeSale(sale(code, order, buyer), ctx); // replay: takes no slot
    const results = await Promise.all(Array.from({ length: 30 }, () => engine.attributeSale(sale(code), ctx)));
    expect(first).not.toBeNull();
    expect(results.filter((r) => r !== null)).toHaveLength(4);
    expect(await engine.models.Referral.countDocuments({ codeId: _id, deletedAt: null })).toBe(5);
    expect((await engine.models.ReferralCode.collection.findOne({ _id }))?.conversions).toBe(5);
    expect(eventsOf('referral:converted')).toHaveLength(5);
    await expect(engine.repositories.referral.recordConversion(sale(code), ctx)).rejects.toMatchObject({ code: 'code_limit_reached', status: 409 });
  });

  it('setPolicy changes a live code and 404s an unknown one', async () => {
    const { engine } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    expect(await engine.repositories.referralCode.setPolicy(code.toLowerCase(), { campaign: 'autumn', metadata: { channel: 'tiktok' } }, ctx)).toMatchObject({
      campaign: 'autumn',
      metadata: { channel: 'tiktok' },
    });
    expect(await engine.repositories.referralCode.setPolicy(code, { campaign: null }, ctx)).toMatchObject({ campaign: null, metadata: { channel: 'tiktok' } });
    await expect(engine.repositories.referralCode.setPolicy('NOSUCH22', { campaign: 'x' }, ctx)).rejects.toMatchObject({ code: 'code_not_found' });
    await expect(engine.repositories.referralCode.setPolicy(code, { maxConversions: 0 }, ctx)).rejects.toMatchObject({
      code: 'validation_failed',
      field: 'policy.maxConversions',
    });
  });
});

describe('vanity codes', () => {
  it('claims a name case-insensitively, in addition to the generated code, and attributes through it', async () => {
    const { engine, eventsOf } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const owner = oid();
    const generated = await engine.repositories.referralCode.generateCode(owner, 'user', ctx);
    const vanity = await engine.repositories.referralCode.claimVanityCode(owner, 'user', 'Chris-22', ctx);
    expect(vanity).toMatchObject({ code: 'CHRIS-22', kind: 'vanity', active: true });
    expect((await engine.repositories.referralCode.generateCode(owner, 'user', ctx)).code).toBe(generated.code);
    const r = await engine.attributeSale(sale('chris-22'), ctx);
    expect(String(r?.referrerRef)).toBe(owner.toHexString());
    expect(eventsOf('referral:code.created')).toHaveLength(2);
  });

  it('is idempotent for its owner and taken for anyone else, even after deactivation', async () => {
    const { engine } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const owner = oid();
    const first = await engine.repositories.referralCode.claimVanityCode(owner, 'user', 'LOLA', ctx);
    expect(String((await engine.repositories.referralCode.claimVanityCode(owner, 'user', 'lola', ctx))._id)).toBe(String(first._id));
    await expect(engine.repositories.referralCode.claimVanityCode(oid(), 'user', 'LoLa', ctx)).rejects.toMatchObject({ code: 'code_taken', status: 409 });
    await engine.repositories.referralCode.deactivate('LOLA', ctx);
    await expect(engine.repositories.referralCode.claimVanityCode(owner, 'user', 'LOLA', ctx)).rejects.toMatchObject({ code: 'code_taken' });
  });

  it('refuses reserved words (configurable) and malformed names', async () => {
    const { engine } = await createTestEngine(db.connection, { codes: { reservedWords: ['acme', 'admin'] } });
    const ctx = newTenantContext();
    await expect(engine.repositories.referralCode.claimVanityCode(oid(), 'user', 'Acme', ctx)).rejects.toMatchObject({ code: 'code_reserved', status: 422 });
    for (const bad of ['AB', 'x'.repeat(33), 'CHRIS_22', 'CHR IS', 'ÇHRIS']) {
      await expect(engine.repositories.referralCode.claimVanityCode(oid(), 'user', bad, ctx)).rejects.toMatchObject({
        code: 'validation_failed',
        field: 'vanity',
      });
    }
    expect((await engine.repositories.referralCode.claimVanityCode(oid(), 'user', 'SUPPORT', ctx)).code).toBe('SUPPORT'); // not in this engine's list
  });
});

describe('look-alike folding', () => {
  it('a generated code typed with O, I or L resolves to its 0/1 form; nobody can claim a look-alike of it', async () => {
    const sequence = ['A0B1C2D3'];
    const { engine } = await createTestEngine(db.connection, {
      codes: { alphabet: '0123456789ABCDEFGHJKMNPQRSTVWXYZ', generate: () => sequence.shift() ?? 'ZZZZZZZZ' },
    });
    const ctx = newTenantContext();
    const owner = oid();
    await engine.repositories.referralCode.generateCode(owner, 'user', ctx);
    expect((await engine.resolveReferrer('aob1c2d3', ctx))?.code).toBe('A0B1C2D3');
    expect((await engine.resolveReferrer('AOBLC2D3', ctx))?.code).toBe('A0B1C2D3');
    const vanityOwner = oid();
    await expect(engine.repositories.referralCode.claimVanityCode(vanityOwner, 'user', 'AOBIC2D3', ctx)).rejects.toMatchObject({
      code: 'code_taken',
      status: 409,
    });
    expect(String((await engine.resolveReferrer('AOBIC2D3', ctx))?.ownerRef)).toBe(owner.toHexString());
    expect(String((await engine.resolveReferrer('AOBLC2D3', ctx))?.ownerRef)).toBe(owner.toHexString());
  });

  it('a retired vanity code keeps its look-alikes: typed traffic never falls through to another owner', async () => {
    const { engine } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const bolt = oid();
    await engine.repositories.referralCode.claimVanityCode(bolt, 'user', 'BOLT', ctx);
    for (const alike of ['B0LT', 'BO1T', 'B01T', 'bolt']) {
      await expect(engine.repositories.referralCode.claimVanityCode(oid(), 'user', alike, ctx)).rejects.toMatchObject({ code: 'code_taken' });
    }
    await engine.repositories.referralCode.deactivate('BOLT', ctx);
    await expect(engine.repositories.referralCode.claimVanityCode(oid(), 'user', 'B01T', ctx)).rejects.toMatchObject({ code: 'code_taken' });
    expect(await engine.resolveReferrer('BOLT', ctx)).toBeNull();
    expect(await engine.resolveReferrer('B01T', ctx)).toBeNull();
  });

  it('concurrent claims of look-alikes by different owners: exactly one wins, enforced by the folded-code index', async () => {
    const { engine } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const names = ['KOOL', 'K00L', 'KO0L', 'K0OL', 'KOO1', 'K001', 'KOOI', 'K0O1'];
    const results = await Promise.allSettled(names.map((name) => engine.repositories.referralCode.claimVanityCode(oid(), 'user', name, ctx)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'code_taken' });
    expect(await engine.models.ReferralCode.countDocuments({ foldedCode: 'K001' })).toBe(1);
    expect((await engine.models.ReferralCode.listIndexes()).map((i) => i.name)).toContain('rf_code_folded_unique');
  });
});
