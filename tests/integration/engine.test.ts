import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';
import { createReferral, type DomainEvent, type EventTransport, ReferralError } from '../../src/index.js';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();

describe('createReferral', () => {
  it('runs the README quick start as written', async () => {
    const connection = db.connection;
    const ownerId = oid();
    const refereeRef = oid();
    const orderId = oid();
    const decidedBy = 'manager-1';
    const ctx = { organizationId: oid().toHexString() };

    const referral = await createReferral({ connection, tenant: { fieldType: 'objectId' }, collectionPrefix: 'qs_' });
    await referral.syncIndexes();
    const { code } = await referral.repositories.referralCode.generateCode(ownerId, 'user', ctx);
    const r = await referral.attributeSale({ code, refereeRef, refereeModel: 'user', sourceRef: orderId, sourceModel: 'Order' }, ctx);
    expect(r?.status).toBe('converted');
    const approved = await referral.repositories.referral.approve(String(r?._id), { decidedBy }, ctx);
    expect(approved.status).toBe('approved');
    await referral.destroy();
  });

  it('uses the default collections and a collectionPrefix', async () => {
    const plain = await createReferral({ connection: db.connection });
    expect(plain.models.ReferralCode.collection.collectionName).toBe('referral_codes');
    expect(plain.models.Referral.collection.collectionName).toBe('referrals');
    const prefixed = await createReferral({ connection: db.connection, collectionPrefix: 'shop_' });
    expect(prefixed.models.Referral.collection.collectionName).toBe('shop_referrals');
    await plain.destroy();
    await prefixed.destroy();
  });

  it('refuses a second engine with the same prefix on one connection, and allows it after destroy()', async () => {
    const first = await createReferral({ connection: db.connection, collectionPrefix: 'dup_' });
    await expect(createReferral({ connection: db.connection, collectionPrefix: 'dup_' })).rejects.toMatchObject({ code: 'engine_conflict', status: 409 });
    await first.destroy();
    const second = await createReferral({ connection: db.connection, collectionPrefix: 'dup_' });
    await second.destroy();
  });

  it('keeps two engines on two connections apart', async () => {
    const otherDb = await mongoose.createConnection(db.uri, { dbName: `${db.connection.name}_b`, autoIndex: false }).asPromise();
    try {
      const a = await createReferral({ connection: db.connection, collectionPrefix: 'two_' });
      const b = await createReferral({ connection: otherDb, collectionPrefix: 'two_' });
      const ctx = newTenantContext();
      const codeA = await a.repositories.referralCode.generateCode(oid(), 'user', ctx);
      expect(await b.resolveReferrer(codeA.code, ctx)).toBeNull();
      expect(await a.resolveReferrer(codeA.code, ctx)).not.toBeNull();
      await a.destroy();
      await b.destroy();
      await otherDb.dropDatabase();
    } finally {
      await otherDb.close();
    }
  });

  it('destroy() is idempotent, leaves the host connection open and refuses later calls', async () => {
    const engine = await createReferral({ connection: db.connection, collectionPrefix: 'gone_' });
    await engine.destroy();
    await engine.destroy();
    expect(db.connection.readyState).toBe(1);
    await expect(engine.resolveReferrer('ABCDEFGH', newTenantContext())).rejects.toMatchObject({ code: 'engine_destroyed' });
  });

  it('never closes a host transport, and closes its own bus', async () => {
    let closed = 0;
    const transport: EventTransport = { name: 'host', publish: async () => {}, close: async () => void closed++ };
    const engine = await createReferral({ connection: db.connection, collectionPrefix: 'tr_', events: { transport } });
    expect(engine.events.transport).toBe(transport);
    await engine.destroy();
    expect(closed).toBe(0);
  });

  it('refuses a missing connection', async () => {
    await expect(createReferral({} as never)).rejects.toBeInstanceOf(ReferralError);
  });
});

describe('tenancy', () => {
  it('fails with tenant_required before any I/O when ctx.organizationId is missing', async () => {
    const { engine } = await createTestEngine(db.connection);
    const error = await engine.repositories.referralCode.generateCode(oid(), 'user', {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'tenant_required', status: 403 });
    // A JavaScript caller can still leave ctx out; the types no longer allow it.
    const untyped = engine.attributeSale as (input: unknown) => Promise<unknown>;
    await expect(untyped({ code: 'ABCDEFGH', refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' })).rejects.toMatchObject({
      code: 'tenant_required',
    });
    expect(await engine.models.ReferralCode.countDocuments({})).toBe(0);
  });

  it('refuses a malformed tenant id with validation_failed', async () => {
    const { engine } = await createTestEngine(db.connection);
    await expect(engine.resolveReferrer('ABCDEFGH', { organizationId: 'not-an-id' })).rejects.toMatchObject({
      code: 'validation_failed',
      field: 'ctx.organizationId',
    });
  });

  it('keeps two tenants using the same code string apart', async () => {
    const { engine } = await createTestEngine(db.connection, { codes: { generate: () => 'SHARED22' } });
    const tenantA = newTenantContext();
    const tenantB = newTenantContext();
    const ownerA = oid();
    const ownerB = oid();
    const codeA = await engine.repositories.referralCode.generateCode(ownerA, 'user', tenantA);
    const codeB = await engine.repositories.referralCode.generateCode(ownerB, 'user', tenantB);
    expect(codeA.code).toBe('SHARED22');
    expect(codeB.code).toBe('SHARED22');
    expect(String((await engine.resolveReferrer('SHARED22', tenantA))?.ownerRef)).toBe(ownerA.toHexString());
    expect(String((await engine.resolveReferrer('SHARED22', tenantB))?.ownerRef)).toBe(ownerB.toHexString());
    const order = oid();
    const inA = await engine.attributeSale({ code: 'SHARED22', refereeRef: oid(), refereeModel: 'user', sourceRef: order, sourceModel: 'Order' }, tenantA);
    const inB = await engine.attributeSale({ code: 'SHARED22', refereeRef: oid(), refereeModel: 'user', sourceRef: order, sourceModel: 'Order' }, tenantB);
    expect(String(inA?._id)).not.toBe(String(inB?._id));
    expect(String(inB?.referrerRef)).toBe(ownerB.toHexString());
    await engine.repositories.referralCode.deactivate('SHARED22', tenantA);
    expect(await engine.resolveReferrer('SHARED22', tenantB)).not.toBeNull();
  });

  it('supports string tenant ids with fieldType "string"', async () => {
    const { engine } = await createTestEngine(db.connection, { tenant: { fieldType: 'string' } });
    const ctx = { organizationId: 'acme-eu' };
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    expect((await engine.repositories.referralCode.lookupByCode(code, ctx))?.organizationId).toBe('acme-eu');
    expect(await engine.repositories.referralCode.lookupByCode(code, { organizationId: 'acme-us' })).toBeNull();
  });

  it('runs single-tenant with tenant: false and stores no tenant field', async () => {
    const { engine } = await createTestEngine(db.connection, { tenant: false });
    const doc = await engine.repositories.referralCode.generateCode(oid(), 'user', {});
    expect(doc).not.toHaveProperty('organizationId');
    const sale = await engine.attributeSale({ code: doc.code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, {});
    expect(sale?.status).toBe('converted');
  });
});

describe('event delivery', () => {
  it('a throwing transport never fails or undoes the write; the error reaches onError', async () => {
    const failures: DomainEvent[] = [];
    const transport: EventTransport = { name: 'broken', publish: async () => Promise.reject(new Error('broker down')) };
    const engine = await createReferral({
      connection: db.connection,
      collectionPrefix: 'broken_',
      events: { transport, onError: (_e, event) => void failures.push(event) },
    });
    await engine.syncIndexes();
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const r = await engine.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);
    expect(r?.status).toBe('converted');
    expect(await engine.models.Referral.countDocuments({})).toBe(1);
    expect(failures.map((e) => e.type)).toEqual(['referral:code.created', 'referral:converted']);
    await engine.destroy();
  });

  it('a throwing subscriber never fails the write, and other subscribers still receive the event', async () => {
    const errors: unknown[] = [];
    const engine = await createReferral({ connection: db.connection, collectionPrefix: 'subs_', events: { onError: (error) => void errors.push(error) } });
    const received: string[] = [];
    await engine.events.subscribe('referral:code.*', () => {
      throw new Error('subscriber bug');
    });
    await engine.events.subscribe('referral:*', (event) => void received.push(event.type));
    await engine.repositories.referralCode.generateCode(oid(), 'user', newTenantContext());
    expect(received).toEqual(['referral:code.created']);
    expect(errors).toHaveLength(1);
    await engine.destroy();
  });
});

describe('syncIndexes', () => {
  it('creates exactly the declared named indexes, led by the tenant field', async () => {
    const { engine } = await createTestEngine(db.connection);
    const codeIndexes = await engine.models.ReferralCode.collection.listIndexes().toArray();
    const referralIndexes = await engine.models.Referral.collection.listIndexes().toArray();
    expect(codeIndexes.map((i) => i.name).sort()).toEqual([
      '_id_',
      'rf_code_actors',
      'rf_code_folded_unique',
      'rf_code_owner_active_unique',
      'rf_code_owner_all',
      'rf_code_parked_events',
      'rf_code_pending_events',
      'rf_code_unique',
    ]);
    expect(referralIndexes.map((i) => i.name).sort()).toEqual([
      '_id_',
      'rf_referral_actors',
      'rf_referral_changed',
      'rf_referral_code_recent',
      'rf_referral_code_slot_unique',
      'rf_referral_converted_at',
      'rf_referral_hold_due',
      'rf_referral_parked_events',
      'rf_referral_pending_events',
      'rf_referral_referee_pair',
      'rf_referral_referrer_changed',
      'rf_referral_referrer_recent',
      'rf_referral_referrer_status_recent',
      'rf_referral_review_queue',
      'rf_referral_source_unique',
      'rf_referral_unconfirmed',
    ]);
    // The tenant leads every compound index; the relay's single-field index spans tenants by design.
    for (const index of [...codeIndexes, ...referralIndexes].filter((i) => Object.keys(i.key).length > 1)) {
      expect(Object.keys(index.key)[0]).toBe('organizationId');
    }
  });

  it('drops stale rf_* indexes, keeps host indexes, and is a no-op the second time', async () => {
    const { engine } = await createTestEngine(db.connection);
    await engine.models.Referral.collection.createIndex({ status: 1 }, { name: 'rf_old_status' });
    await engine.models.Referral.collection.createIndex({ status: 1, createdAt: 1 }, { name: 'host_reporting' });
    const report = await engine.syncIndexes();
    expect(report[engine.models.Referral.collection.collectionName]).toEqual({ created: [], dropped: ['rf_old_status'] });
    const names = (await engine.models.Referral.collection.listIndexes().toArray()).map((i) => i.name);
    expect(names).toContain('host_reporting');
    expect(names).not.toContain('rf_old_status');
    const again = await engine.syncIndexes();
    expect(Object.values(again).every((r) => r.created.length === 0 && r.dropped.length === 0)).toBe(true);
  });

  it('never creates indexes implicitly', async () => {
    const engine = await createReferral({ connection: db.connection, collectionPrefix: 'lazy_' });
    const ctx = newTenantContext();
    await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const names = (await engine.models.ReferralCode.collection.listIndexes().toArray()).map((i) => i.name);
    expect(names).toEqual(['_id_']);
    await engine.destroy();
  });
});
