import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheckoutApp } from '../../examples/express-checkout/app.js';
import { createReferral, type ReferralEngine } from '../../src/index.js';
import { useTestDatabase } from '../harness/database.js';
import { oid } from '../harness/engine.js';

const db = useTestDatabase();
let server: Server;
let engine: ReferralEngine;
let base: string;
const tenant = oid().toHexString();

const call = async (method: string, path: string, body?: unknown, organizationId: string | null = tenant) => {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(organizationId ? { 'x-organization-id': organizationId } : {}) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any>, replayed: response.headers.get('idempotent-replayed') };
};

beforeAll(async () => {
  engine = await createReferral({ connection: db.connection, collectionPrefix: 'http_' });
  await engine.syncIndexes();
  server = createCheckoutApp(engine).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await engine.destroy();
});

describe('express checkout example over HTTP', () => {
  it('runs the checkout story: code, two checkouts, a replay, review and the listing', async () => {
    const creator = oid().toHexString();
    const code = await call('POST', '/codes', { ownerRef: creator });
    expect(code.status).toBe(200);
    expect((await call('POST', '/codes', { ownerRef: creator })).body.code).toBe(code.body.code);

    const orderA = oid().toHexString();
    const buyerA = oid().toHexString();
    const first = await call('POST', '/checkout', { code: code.body.code, buyerId: buyerA, orderId: orderA, amount: 4900, currency: 'USD' });
    expect(first.status).toBe(201);
    expect(first.body.referral).toMatchObject({ status: 'converted', referrerRef: creator, amount: 4900, currency: 'USD' });
    const replay = await call('POST', '/checkout', { code: code.body.code, buyerId: buyerA, orderId: orderA });
    expect(replay.body.referral._id).toBe(first.body.referral._id);
    expect([first.replayed, replay.status, replay.replayed]).toEqual([null, 200, 'true']);
    const second = await call('POST', '/checkout', { code: code.body.code, buyerId: oid().toHexString(), orderId: oid().toHexString() });

    expect((await call('POST', `/referrals/${first.body.referral._id}/approve`, { decidedBy: 'manager-1' })).body.referral.status).toBe('approved');
    expect((await call('POST', `/referrals/${second.body.referral._id}/reject`, { decidedBy: 'manager-1', reason: 'refund' })).body.referral.status).toBe(
      'rejected',
    );

    const page = await call('GET', `/referrers/${creator}/referrals?limit=1`);
    expect(page.body.items).toHaveLength(1);
    const rest = await call('GET', `/referrers/${creator}/referrals?limit=5&after=${encodeURIComponent(page.body.next)}`);
    expect(rest.body.items).toHaveLength(1);
    expect(rest.body.next).toBeNull();
  });

  it('answers an unknown code with 200 and null', async () => {
    const response = await call('POST', '/checkout', { code: 'NOSUCH22', buyerId: 'u1', orderId: 'o1' });
    expect(response).toEqual({ status: 200, body: { referral: null }, replayed: null });
  });

  it('maps ReferralError to HTTP statuses', async () => {
    const creator = oid().toHexString();
    const { body } = await call('POST', '/codes', { ownerRef: creator });
    expect(await call('POST', '/checkout', { code: body.code, buyerId: creator, orderId: 'o-self' })).toMatchObject({
      status: 422,
      body: { error: { code: 'self_referral' } },
    });
    expect(await call('POST', '/checkout', { code: { $gt: '' }, buyerId: 'u', orderId: 'o' })).toMatchObject({
      status: 422,
      body: { error: { code: 'validation_failed' } },
    });
    expect(await call('POST', '/codes', { ownerRef: creator }, null)).toMatchObject({ status: 403, body: { error: { code: 'tenant_required' } } });
    expect(await call('POST', `/referrals/${oid().toHexString()}/approve`, { decidedBy: 'm' })).toMatchObject({
      status: 404,
      body: { error: { code: 'referral_not_found' } },
    });
    const sale = await call('POST', '/checkout', { code: body.code, buyerId: 'u2', orderId: 'o-twice' });
    await call('POST', `/referrals/${sale.body.referral._id}/approve`, { decidedBy: 'm' });
    expect(await call('POST', `/referrals/${sale.body.referral._id}/reject`, { decidedBy: 'm', reason: 'late' })).toMatchObject({
      status: 409,
      body: { error: { code: 'invalid_transition' } },
    });
    expect(await call('POST', '/checkout', '{not json')).toMatchObject({ status: 400, body: { error: { code: 'bad_json' } } });
  });

  it("answers what a host copies wrong with the right status and the client's own field names", async () => {
    const creator = oid().toHexString();
    const { body } = await call('POST', '/codes', { ownerRef: creator });
    const big = await call('POST', '/checkout', JSON.stringify({ code: body.code, buyerId: 'u', orderId: 'o', pad: 'x'.repeat(40_000) }));
    expect(big).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } });
    expect(await call('GET', '/no/such/route')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    for (const query of ['limit=0', 'limit=abc', 'limit=1.5', 'status=converted&status=approved', 'limit=1&limit=2']) {
      const response = await call('GET', `/referrers/${creator}/referrals?${query}`);
      expect(response.status, query).toBe(422);
      expect(['limit', 'status'], query).toContain(response.body.error.details.issues[0].field);
    }
    expect(await call('POST', '/checkout', { code: body.code, buyerId: 'u', orderId: 'o-lots', amount: 'lots', currency: 'USD' })).toMatchObject({
      status: 422,
      body: { error: { code: 'validation_failed', message: 'Invalid amount: Expected an integer amount in minor units' } },
    });
    expect(await call('POST', '/checkout', { code: body.code, buyerId: 'u', orderId: '' })).toMatchObject({
      status: 422,
      body: { error: { message: expect.stringMatching(/^Invalid orderId:/) } },
    });
    expect(await call('POST', '/checkout', { code: body.code, orderId: 'o-nobuyer' })).toMatchObject({
      status: 422,
      body: { error: { details: { issues: [{ field: 'buyerId' }] } } },
    });
    expect(await engine.models.Referral.countDocuments({ sourceRef: 'o-lots' })).toBe(0);
  });

  it("keeps tenants apart: another tenant's header sees nothing", async () => {
    const creator = oid().toHexString();
    const { body } = await call('POST', '/codes', { ownerRef: creator });
    await call('POST', '/checkout', { code: body.code, buyerId: 'u3', orderId: 'o-tenant' });
    const other = oid().toHexString();
    expect((await call('GET', `/referrers/${creator}/referrals`, undefined, other)).body.items).toEqual([]);
    expect((await call('POST', '/checkout', { code: body.code, buyerId: 'u4', orderId: 'o-x' }, other)).body.referral).toBeNull();
  });
});
