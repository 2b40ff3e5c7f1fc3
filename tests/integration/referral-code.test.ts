import { describe, expect, it } from 'vitest';
import { DEFAULT_CODE_ALPHABET, ReferralError } from '../../src/index.js';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();

describe('referralCode.generateCode', () => {
  it('issues an 8-character code from the look-alike-free alphabet and emits referral:code.created', async () => {
    const { engine, eventsOf } = await createTestEngine(db.connection);
    const ctx = { ...newTenantContext(), correlationId: 'corr-1' };
    const owner = oid();
    const doc = await engine.repositories.referralCode.generateCode(owner, 'user', ctx);
    expect(doc.code).toHaveLength(8);
    expect([...doc.code].every((c) => DEFAULT_CODE_ALPHABET.includes(c))).toBe(true);
    expect(doc.active).toBe(true);
    expect(String(doc.ownerRef)).toBe(owner.toHexString());
    expect(String(doc.organizationId)).toBe(ctx.organizationId);
    const [created] = eventsOf('referral:code.created');
    expect(created?.payload).toMatchObject({ codeId: String(doc._id), code: doc.code, ownerRef: owner.toHexString(), ownerModel: 'user' });
    expect(created?.meta).toMatchObject({ organizationId: ctx.organizationId, correlationId: 'corr-1', idempotencyKey: `referral_code:${doc._id}:created` });
  });

  it('is idempotent per owner: a repeat returns the same code and emits nothing', async () => {
    const { engine, eventsOf } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const owner = oid();
    const first = await engine.repositories.referralCode.generateCode(owner, 'user', ctx);
    const again = await engine.repositories.referralCode.generateCode(owner.toHexString(), 'user', ctx);
    expect(again.code).toBe(first.code);
    expect(String(again._id)).toBe(String(first._id));
    expect(eventsOf('referral:code.created')).toHaveLength(1);
  });

  it('gives 20 concurrent calls for one owner exactly one code and one event', async () => {
    const { engine, eventsOf } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const owner = oid();
    const results = await Promise.all(Array.from({ length: 20 }, () => engine.repositories.referralCode.generateCode(owner, 'user', ctx)));
    expect(new Set(results.map((r) => r.code)).size).toBe(1);
    expect(eventsOf('referral:code.created')).toHaveLength(1);
    expect(await engine.models.ReferralCode.countDocuments({ ownerRef: owner })).toBe(1);
  });

  it('retries a collision with another random code', async () => {
    const sequence = ['AAAAAAAA', 'AAAAAAAA', 'BBBBBBBB'];
    const { engine } = await createTestEngine(db.connection, { codes: { generate: () => sequence.shift() ?? 'CCCCCCCC' } });
    const ctx = newTenantContext();
    const first = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const second = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    expect(first.code).toBe('AAAAAAAA');
    expect(second.code).toBe('BBBBBBBB');
  });

  it('fails with code_space_exhausted after a bounded number of collisions, never a raw E11000', async () => {
    const { engine } = await createTestEngine(db.connection, { codes: { generate: () => 'SAMECODE', maxAttempts: 3 } });
    const ctx = newTenantContext();
    await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const error = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReferralError);
    expect(error).toMatchObject({ code: 'code_space_exhausted', status: 409, details: { attempts: 3 } });
  });

  it('refuses invalid owners with validation_failed naming the field', async () => {
    const { engine } = await createTestEngine(db.connection);
    const error = await engine.repositories.referralCode.generateCode({ $gt: '' } as never, 'user', newTenantContext()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'validation_failed', status: 422, field: 'ownerRef' });
  });
});

describe('referralCode.lookupByCode', () => {
  it('trims and upper-cases input', async () => {
    const { engine } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const found = await engine.repositories.referralCode.lookupByCode(`  ${code.toLowerCase()} `, ctx);
    expect(found?.code).toBe(code);
  });

  it('returns null for an unknown code', async () => {
    const { engine } = await createTestEngine(db.connection);
    expect(await engine.repositories.referralCode.lookupByCode('NOPE2345', newTenantContext())).toBeNull();
  });
});

describe('referralCode.deactivate', () => {
  it('stops the code resolving, is idempotent, and emits referral:code.deactivated once', async () => {
    const { engine, eventsOf } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const owner = oid();
    const { code } = await engine.repositories.referralCode.generateCode(owner, 'user', ctx);
    const first = await engine.repositories.referralCode.deactivate(code, ctx);
    const second = await engine.repositories.referralCode.deactivate(code.toLowerCase(), ctx);
    expect(first.active).toBe(false);
    expect(second.deactivatedAt?.getTime()).toBe(first.deactivatedAt?.getTime());
    expect(await engine.repositories.referralCode.lookupByCode(code, ctx)).toBeNull();
    expect(await engine.resolveReferrer(code, ctx)).toBeNull();
    expect(eventsOf('referral:code.deactivated')).toHaveLength(1);
    expect(eventsOf('referral:code.deactivated')[0]?.meta.idempotencyKey).toBe(`referral_code:${first._id}:deactivated`);
  });

  it('gives the owner a new code afterwards and never hands the old code to anyone', async () => {
    const sequence = ['OLDCODE2', 'OLDCODE2', 'NEWCODE2', 'OLDCODE2', 'OTHER234'];
    const { engine } = await createTestEngine(db.connection, { codes: { generate: () => sequence.shift() ?? 'ZZZZZZZZ' } });
    const ctx = newTenantContext();
    const owner = oid();
    await engine.repositories.referralCode.generateCode(owner, 'user', ctx);
    await engine.repositories.referralCode.deactivate('OLDCODE2', ctx);
    const renewed = await engine.repositories.referralCode.generateCode(owner, 'user', ctx);
    const other = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    expect(renewed.code).toBe('NEWCODE2');
    expect(other.code).toBe('OTHER234');
  });

  it('fails with code_not_found (404) for an unknown code', async () => {
    const { engine } = await createTestEngine(db.connection);
    await expect(engine.repositories.referralCode.deactivate('UNKNOWN2', newTenantContext())).rejects.toMatchObject({ code: 'code_not_found', status: 404 });
  });
});

describe('soft delete', () => {
  it('hides a deleted code and lets its owner get a new one', async () => {
    const { engine } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const owner = oid();
    const { code } = await engine.repositories.referralCode.generateCode(owner, 'user', ctx);
    const deleted = await engine.repositories.referralCode.softDelete(code, ctx);
    expect(deleted.deletedAt).toBeInstanceOf(Date);
    expect(await engine.repositories.referralCode.lookupByCode(code, ctx)).toBeNull();
    await expect(engine.repositories.referralCode.deactivate(code, ctx)).rejects.toMatchObject({ code: 'code_not_found' });
    const renewed = await engine.repositories.referralCode.generateCode(owner, 'user', ctx);
    expect(renewed.code).not.toBe(code);
    expect(await engine.models.ReferralCode.countDocuments({ ownerRef: owner })).toBe(2);
  });
});
