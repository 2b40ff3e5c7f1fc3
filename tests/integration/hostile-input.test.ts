import { describe, expect, it } from 'vitest';
import { DuplicateError, type ReferralContext, type ReferralEngine } from '../../src/index.js';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();

interface Fixture {
  engine: ReferralEngine;
  ctx: ReferralContext;
  code: string;
  referralId: string;
}

const sale = (f: Fixture, overrides: Record<string, unknown> = {}) => ({
  code: f.code,
  refereeRef: oid(),
  refereeModel: 'user',
  sourceRef: oid(),
  sourceModel: 'Order',
  ...overrides,
});
const prototypeKeys = JSON.parse('{"__proto__": {"isAdmin": true}}') as Record<string, unknown>;

/** One row per hostile input: the call, and the field the 422 must name. */
const cases: [string, (f: Fixture) => Promise<unknown>, string][] = [
  ['$gt operator as a code', (f) => f.engine.attributeSale(sale(f, { code: { $gt: '' } }), f.ctx), 'input.code'],
  ['$where operator as a referee', (f) => f.engine.attributeSale(sale(f, { refereeRef: { $where: 'sleep(1000)' } }), f.ctx), 'input.refereeRef'],
  ['$ne operator as a sale id', (f) => f.engine.repositories.referral.recordConversion(sale(f, { sourceRef: { $ne: null } }), f.ctx), 'input.sourceRef'],
  ['$gt operator to lookupByCode', (f) => f.engine.repositories.referralCode.lookupByCode({ $gt: '' } as never, f.ctx), 'code'],
  ['$-key in metadata', (f) => f.engine.attributeSale(sale(f, { metadata: { $set: { status: 'approved' } } }), f.ctx), 'input.metadata.$set'],
  ['dotted key in metadata', (f) => f.engine.attributeSale(sale(f, { metadata: { 'status.x': 1 } }), f.ctx), 'input.metadata.status.x'],
  ['nested $-key in metadata', (f) => f.engine.attributeSale(sale(f, { metadata: { a: [{ $inc: 1 }] } }), f.ctx), 'input.metadata.a.0.$inc'],
  ['__proto__ in metadata', (f) => f.engine.attributeSale(sale(f, { metadata: prototypeKeys }), f.ctx), 'input.metadata.__proto__'],
  [
    'constructor in metadata',
    (f) => f.engine.attributeSale(sale(f, { metadata: { constructor: { prototype: { x: 1 } } } }), f.ctx),
    'input.metadata.constructor',
  ],
  ['metadata over 16 KB', (f) => f.engine.attributeSale(sale(f, { metadata: { blob: 'x'.repeat(16 * 1024) } }), f.ctx), 'input.metadata'],
  ['non-ObjectId tenant id', (f) => f.engine.attributeSale(sale(f), { organizationId: 'tenant-1' }), 'ctx.organizationId'],
  ['operator as tenant id', (f) => f.engine.attributeSale(sale(f), { organizationId: { $ne: null } as never }), 'ctx.organizationId'],
  ['non-ObjectId referral id', (f) => f.engine.repositories.referral.approve('1 OR 1=1', { decidedBy: 'm' }, f.ctx), 'id'],
  ['operator as referral id', (f) => f.engine.repositories.referral.reject({ $gt: '' } as never, { decidedBy: 'm', reason: 'x' }, f.ctx), 'id'],
  ['empty code', (f) => f.engine.attributeSale(sale(f, { code: '' }), f.ctx), 'input.code'],
  ['whitespace-only code', (f) => f.engine.resolveReferrer(' \t\n ', f.ctx), 'code'],
  ['code over 64 characters', (f) => f.engine.attributeSale(sale(f, { code: 'A'.repeat(65) }), f.ctx), 'input.code'],
  ['control character in code', (f) => f.engine.attributeSale(sale(f, { code: 'ABC\u001bDEF' }), f.ctx), 'input.code'],
  ['NUL byte in code', (f) => f.engine.repositories.referralCode.deactivate('ABCD\u0000', f.ctx), 'code'],
  ['NUL byte in a ref', (f) => f.engine.attributeSale(sale(f, { refereeRef: 'user\u00001' }), f.ctx), 'input.refereeRef'],
  ['NUL byte in a note', (f) => f.engine.repositories.referral.approve(f.referralId, { decidedBy: 'm', note: 'ok\u0000' }, f.ctx), 'input.note'],
  ['Cyrillic look-alike in code', (f) => f.engine.attributeSale(sale(f, { code: 'АВСDEF23' }), f.ctx), 'input.code'],
  ['full-width look-alike in code', (f) => f.engine.resolveReferrer('ＡＢＣＤ２３４５', f.ctx), 'code'],
  ['tenant field smuggled into an input', (f) => f.engine.attributeSale(sale(f, { organizationId: oid() }), f.ctx), 'input'],
  ['status smuggled into an input', (f) => f.engine.repositories.referral.recordConversion(sale(f, { status: 'approved' }), f.ctx), 'input'],
  [
    'extra key in an approval chain',
    (f) => f.engine.repositories.referral.updateApprovals(f.referralId, { steps: [{ id: 's', approvers: ['a'] }], autoApprove: true } as never, f.ctx),
    'chain',
  ],
  [
    'operator as an approver',
    (f) => f.engine.repositories.referral.updateApprovals(f.referralId, { steps: [{ id: 's', approvers: [{ $ne: null }] }] } as never, f.ctx),
    'chain.steps.0.approvers.0',
  ],
  ['a float amount', (f) => f.engine.attributeSale(sale(f, { amount: 49.99, currency: 'USD' }), f.ctx), 'input.amount'],
  ['an amount as a string', (f) => f.engine.attributeSale(sale(f, { amount: '4999', currency: 'USD' }), f.ctx), 'input.amount'],
  ['an operator as an amount', (f) => f.engine.attributeSale(sale(f, { amount: { $gt: 0 }, currency: 'USD' }), f.ctx), 'input.amount'],
  ['Infinity as an amount', (f) => f.engine.attributeSale(sale(f, { amount: Number.POSITIVE_INFINITY, currency: 'USD' }), f.ctx), 'input.amount'],
  ['an operator as a currency', (f) => f.engine.attributeSale(sale(f, { amount: 1, currency: { $ne: null } }), f.ctx), 'input.currency'],
  [
    'a partial refund of a sale recorded without an amount',
    (f) => f.engine.repositories.referral.reverse(f.referralId, { reason: 'r', refundKey: 'k', amount: 1, currency: 'EUR' }, f.ctx),
    'input.amount',
  ],
  ['an operator as a suspended referrer', (f) => f.engine.referrers.suspend({ referrerRef: { $gt: '' } as never, reason: 'x' }, f.ctx), 'input.referrerRef'],
  ['NUL byte in a suspension reason', (f) => f.engine.referrers.suspend({ referrerRef: oid(), reason: 'a\u0000b' }, f.ctx), 'input.reason'],
  [
    'an operator as a queue approver',
    (f) => f.engine.repositories.referral.listAwaitingReview({ approver: { $ne: null } as never }, f.ctx),
    'options.approver',
  ],
  ['a filter smuggled into the queue', (f) => f.engine.repositories.referral.listAwaitingReview({ status: 'approved' } as never, f.ctx), 'options'],
  ['an operator as settleHeld limit', (f) => f.engine.repositories.referral.settleHeld({ limit: { $gt: 0 } as never }, f.ctx), 'options.limit'],
  [
    'filter object as listing options',
    (f) => f.engine.repositories.referral.listForReferrer(oid(), { status: { $ne: 'x' } } as never, f.ctx),
    'options.status',
  ],
];

describe('hostile and malformed input', () => {
  const prepare = async (): Promise<Fixture & { snapshot: () => Promise<unknown> }> => {
    const { engine } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const r = await engine.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);
    const snapshot = async () => ({
      codes: await engine.models.ReferralCode.collection.find({}, { projection: { outbox: 0, pendingEventsAt: 0 } }).toArray(),
      referrals: await engine.models.Referral.collection.find({}, { projection: { outbox: 0, pendingEventsAt: 0 } }).toArray(),
    });
    return { engine, ctx, code, referralId: String(r?._id), snapshot };
  };

  it.each(cases)('%s is refused with a 422 naming the field, and nothing is written', async (_name, call, field) => {
    const fixture = await prepare();
    const before = await fixture.snapshot();
    const error = await call(fixture).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'validation_failed', status: 422 });
    expect((error as { issues: { field: string }[] }).issues.map((i) => i.field)).toContain(field);
    expect(await fixture.snapshot()).toEqual(before);
  });

  it('no verb takes a raw filter: an unknown option key is refused, not passed to MongoDB', async () => {
    const fixture = await prepare();
    await expect(fixture.engine.repositories.referral.listForReferrer(oid(), { filter: { $where: '1' } } as never, fixture.ctx)).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });
});

describe('tenant field cannot be overwritten', () => {
  it('metadata.organizationId stays inside metadata; the record keeps the caller tenant', async () => {
    const { engine } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const other = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const r = await engine.attributeSale(
      { code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order', metadata: { organizationId: other.organizationId } },
      ctx,
    );
    expect(String(r?.organizationId)).toBe(ctx.organizationId);
    expect(r?.metadata).toEqual({ organizationId: other.organizationId });
    expect(await engine.repositories.referral.findById(String(r?._id), other)).toBeNull();
    expect((await engine.repositories.referral.listForReferrer(r?.referrerRef as string, {}, other)).items).toEqual([]);
  });
});

describe('duplicate-key translation', () => {
  it('an E11000 on an index the engine does not resolve becomes a 409 with field names, never values', async () => {
    const { engine } = await createTestEngine(db.connection);
    await engine.models.Referral.collection.createIndex(
      { organizationId: 1, 'metadata.invoice': 1 },
      { unique: true, name: 'host_invoice_unique', partialFilterExpression: { 'metadata.invoice': { $exists: true } } },
    );
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    await engine.attributeSale(
      { code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order', metadata: { invoice: 'INV-SECRET-1' } },
      ctx,
    );
    const error = await engine
      .attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order', metadata: { invoice: 'INV-SECRET-1' } }, ctx)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuplicateError);
    expect(error).toMatchObject({ code: 'duplicate', status: 409, fields: ['organizationId', 'metadata.invoice'] });
    expect(JSON.stringify(error)).not.toContain('INV-SECRET-1');
    expect((error as Error).message).not.toContain('INV-SECRET-1');
  });
});
