import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();

describe('ctx is validated before any I/O', () => {
  const hostile: [string, Record<string, unknown>][] = [
    ['ctx.correlationId', { correlationId: { $gt: '', pad: 'x'.repeat(200_000) } }],
    ['ctx.correlationId', { correlationId: 'x'.repeat(200_000) }],
    ['ctx.correlationId', { correlationId: 'line\nbreak' }],
    ['ctx.actorId', { actorId: { $ne: null } }],
    ['ctx.actorId', { actorId: 4.2 }],
    ['ctx.actorId', { actorId: Number.NaN }],
    ['ctx.actorId', { actorId: 'admin\u0000' }],
    ['ctx.idempotencyKey', { idempotencyKey: 'key\u0000' }],
    ['ctx.idempotencyKey', { idempotencyKey: ['a'] }],
    ['ctx.session', { session: { inTransaction: 'yes' } }],
    ['ctx.actorId', { actorId: ['admin'] }],
    ['ctx.actorId', { actorId: [[oid().toHexString()]] }],
    ['ctx.session', { session: { inTransaction: () => false } }],
    ['ctx.session', { session: { inTransaction: () => false, startTransaction: () => {}, endSession: async () => {} } }],
    ['ctx.organizationId', { organizationId: [oid().toHexString()] }],
    ['ctx.organizationId', { organizationId: [[oid().toHexString()]] }],
  ];

  it.each(hostile)('refuses a bad %s with validation_failed naming it, and writes nothing', async (field, extra) => {
    const { engine, events } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const before = [await engine.models.Referral.countDocuments({}), events.length];
    const bad = { ...ctx, ...extra };
    await expect(
      engine.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, bad as never),
    ).rejects.toMatchObject({ code: 'validation_failed', status: 422, field });
    await expect(engine.repositories.referralCode.generateCode(oid(), 'user', bad as never)).rejects.toMatchObject({ code: 'validation_failed', field });
    await expect(engine.events.redeliver(bad as never)).rejects.toMatchObject({ code: 'validation_failed', field });
    await expect(engine.events.parked(bad as never)).rejects.toMatchObject({ code: 'validation_failed', field });
    await expect(engine.events.requeue('some-event', bad as never)).rejects.toMatchObject({ code: 'validation_failed', field });
    await expect(engine.events.pending(bad as never)).rejects.toMatchObject({ code: 'validation_failed', field });
    expect([await engine.models.Referral.countDocuments({}), events.length]).toEqual(before);
  });

  it('a real ClientSession is accepted; once ended it is refused before any I/O', async () => {
    const { engine } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const session = await db.connection.startSession();
    const owner = oid();
    const issued = await engine.repositories.referralCode.generateCode(owner, 'user', { ...ctx, session });
    expect(issued.ownerRef).toEqual(owner);
    await session.endSession();
    await expect(engine.repositories.referralCode.generateCode(oid(), 'user', { ...ctx, session })).rejects.toMatchObject({
      code: 'validation_failed',
      field: 'ctx.session',
      message: expect.stringContaining('ended'),
    });
  });

  it('a clean actor and correlation id reach the event meta as given', async () => {
    const { engine, events } = await createTestEngine(db.connection);
    const actor = oid();
    await engine.repositories.referralCode.generateCode(oid(), 'user', {
      ...newTenantContext(),
      actorId: actor,
      correlationId: 'req-42',
      idempotencyKey: 'idem:1',
    });
    expect(events[0]?.meta).toMatchObject({ userId: actor.toHexString(), correlationId: 'req-42' });
  });
});

describe('approver ids', () => {
  it('an upper-case hex approver id in a chain can approve, whatever case decidedBy uses', async () => {
    const manager = oid().toHexString();
    const { engine } = await createTestEngine(db.connection, { review: { chain: () => ({ steps: [{ id: 'finance', approvers: [manager.toUpperCase()] }] }) } });
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const referral = await engine.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);
    const approved = await engine.repositories.referral.approve(String(referral?._id), { decidedBy: manager }, ctx);
    expect(approved.status).toBe('approved');
  });

  it('refuses NUL bytes and control characters in approver and step ids', async () => {
    const { engine } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const referral = await engine.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);
    const id = String(referral?._id);
    await expect(engine.repositories.referral.updateApprovals(id, { steps: [{ id: 'ok', approvers: ['boss\u0000'] }] }, ctx)).rejects.toMatchObject({
      code: 'validation_failed',
      field: 'chain.steps.0.approvers.0',
    });
    await expect(engine.repositories.referral.updateApprovals(id, { steps: [{ id: 'fin\u0007', approvers: ['boss'] }] }, ctx)).rejects.toMatchObject({
      code: 'validation_failed',
      field: 'chain.steps.0.id',
    });
    await expect(engine.repositories.referral.updateApprovals(id, { steps: [{ id: 'ok', approvers: [{ id: 'a\nb' }] }] }, ctx)).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(engine.repositories.referral.approve(id, { decidedBy: 'm', stepId: 'x\u0000' }, ctx)).rejects.toMatchObject({
      code: 'validation_failed',
      field: 'input.stepId',
    });
    const { engine: hooked } = await createTestEngine(db.connection, { review: { chain: () => ({ steps: [{ id: 'ok', approvers: ['bad\u0000id'] }] }) } });
    const { code: hookedCode } = await hooked.repositories.referralCode.generateCode(oid(), 'user', ctx);
    await expect(
      hooked.attributeSale({ code: hookedCode, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    expect(await hooked.models.Referral.countDocuments({})).toBe(0);
  });
});
