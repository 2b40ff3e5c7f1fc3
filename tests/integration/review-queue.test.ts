import { describe, expect, it } from 'vitest';
import type { CreateChainInput, FraudGuard } from '../../src/index.js';
import { createCluster } from '../harness/cluster.js';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();

const flagWhenAsked: FraudGuard = (input) =>
  input.metadata?.flag === true ? { outcome: 'flag', rule: 'test.flag', reason: 'asked' } : { outcome: 'accept', rule: 'test.flag' };

const twoSteps: CreateChainInput = {
  steps: [
    { id: 'manager', approvers: ['m1'] },
    { id: 'finance', approvers: ['f1', 'f2'] },
  ],
};

const setup = async (options: { holdDays?: number } = {}) => {
  const test = await createTestEngine(db.connection, {
    guards: [flagWhenAsked],
    review: { chain: (draft) => (draft.metadata?.chain === true ? twoSteps : null), ...options },
  });
  const ctx = newTenantContext();
  const { code } = await test.engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
  const sell = async (metadata: Record<string, unknown> = {}) => {
    const r = await test.engine.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order', metadata }, ctx);
    if (!r) throw new Error('expected a referral');
    await new Promise((resolve) => setTimeout(resolve, 2)); // distinct convertedAt, so "oldest first" is observable
    return String(r._id);
  };
  return { ...test, ctx, sell, repo: test.engine.repositories.referral };
};

describe('the review queue', () => {
  it('lists what awaits a decision across referrers, oldest first, filtered by flag, step, approver and age, page by page', async () => {
    const { repo, ctx, sell } = await setup();
    const plain = await sell();
    const flagged = await sell({ flag: true });
    const chained = await sell({ chain: true });
    const both = await sell({ chain: true, flag: true });
    const ids = async (options: Parameters<typeof repo.listAwaitingReview>[0]) => (await repo.listAwaitingReview(options, ctx)).items.map((r) => String(r._id));
    expect(await ids({})).toEqual([flagged, chained, both]);
    expect(await ids({ flagged: true })).toEqual([flagged, both]);
    expect(await ids({ flagged: false })).toEqual([chained]);
    expect(await ids({ step: 'manager' })).toEqual([chained, both]);
    expect(await ids({ approver: 'f2' })).toEqual([]);
    const chainedAt = (await repo.findById(chained, ctx))?.convertedAt as Date;
    expect(await ids({ convertedBefore: chainedAt })).toEqual([flagged]);
    // The chain advances: the manager's approval files it under finance and its approvers.
    await repo.approve(chained, { decidedBy: 'm1' }, ctx);
    expect(await ids({ step: 'manager' })).toEqual([both]);
    expect(await ids({ approver: 'f2' })).toEqual([chained]);
    // Decided referrals leave the queue; a plain one was never in it.
    await repo.reject(flagged, { decidedBy: 'ops', reason: 'fraud' }, ctx);
    expect(await ids({})).toEqual([chained, both]);
    expect(await ids({})).not.toContain(plain);
    // Keyset pages: no duplicates, no gaps.
    const first = await repo.listAwaitingReview({ limit: 1 }, ctx);
    const second = await repo.listAwaitingReview({ limit: 1, after: first.next as string }, ctx);
    expect([...first.items, ...second.items].map((r) => String(r._id))).toEqual([chained, both]);
    expect(second.next).toBeNull();
    // Tenant-scoped; bad input is refused.
    expect((await repo.listAwaitingReview({}, newTenantContext())).items).toEqual([]);
    await expect(repo.listAwaitingReview({ after: 'nope' }, ctx)).rejects.toMatchObject({ code: 'validation_failed', field: 'options.after' });
    await expect(repo.listAwaitingReview({ limit: 0 }, ctx)).rejects.toMatchObject({ code: 'validation_failed', field: 'options.limit' });
  });

  it('updateApprovals puts a plain referral in the queue under its new chain', async () => {
    const { repo, ctx, sell } = await setup();
    const plain = await sell();
    await repo.updateApprovals(plain, { steps: [{ id: 'legal', approvers: ['l1'] }] }, ctx);
    expect((await repo.listAwaitingReview({ approver: 'l1' }, ctx)).items.map((r) => String(r._id))).toEqual([plain]);
  });
});

describe('the hold period (review.holdDays)', () => {
  const HOLD_DAYS = 50 / 86_400_000; // 50 ms

  it('settleHeld approves each unflagged, unchained referral once its hold passed, with referral:approved by system:hold', async () => {
    const { repo, ctx, sell, eventsOf } = await setup({ holdDays: HOLD_DAYS });
    const plain = await sell();
    const flagged = await sell({ flag: true });
    const chained = await sell({ chain: true });
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await repo.settleHeld({}, ctx)).toEqual({ settled: 1 });
    expect(await repo.findById(plain, ctx)).toMatchObject({ status: 'approved', decisions: [expect.objectContaining({ decidedBy: 'system:hold' })] });
    expect((await repo.findById(flagged, ctx))?.status).toBe('converted');
    expect((await repo.findById(chained, ctx))?.status).toBe('converted');
    expect(eventsOf('referral:approved').map((e) => (e.payload as { decidedBy: string }).decidedBy)).toEqual(['system:hold']);
    expect(await repo.settleHeld({}, ctx)).toEqual({ settled: 0 });
  });

  it('a suspended referrer\u2019s held referrals leave the hold: no scheduler approves them, a person does', async () => {
    const { engine, repo, ctx, eventsOf } = await setup({ holdDays: HOLD_DAYS });
    const alice = oid();
    const { code } = await engine.repositories.referralCode.generateCode(alice, 'user', ctx);
    const sale = await engine.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);
    await engine.referrers.suspend({ referrerRef: alice, reason: 'review' }, ctx);
    expect(await repo.findById(String(sale?._id), ctx)).toMatchObject({ holdUntil: null, version: 1 });
    await engine.referrers.resume({ referrerRef: alice }, ctx);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await repo.settleHeld({}, ctx)).toEqual({ settled: 0 });
    expect(eventsOf('referral:approved')).toEqual([]);
    expect((await repo.approve(String(sale?._id), { decidedBy: 'ops' }, ctx)).status).toBe('approved');
  });

  it('settles nothing before the hold passed', async () => {
    const { repo, ctx, sell } = await setup({ holdDays: 1 });
    const plain = await sell();
    expect(await repo.settleHeld({}, ctx)).toEqual({ settled: 0 });
    expect(await repo.findById(plain, ctx)).toMatchObject({ status: 'converted', holdUntil: expect.any(Date) });
  });

  it('two schedulers on two engines settle 40 held referrals once each', async () => {
    // A budget no slow server exhausts: each approval's event is published by the call that settled it, never left to the relay.
    const { pick, events, destroy } = await createCluster(db, 2, { review: { holdDays: HOLD_DAYS }, events: { publishTimeoutMs: 60_000 } });
    const ctx = newTenantContext();
    const { code } = await pick(0).repositories.referralCode.generateCode(oid(), 'user', ctx);
    for (let i = 0; i < 40; i++) await pick(i).attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);
    await new Promise((resolve) => setTimeout(resolve, 80));
    const runs = await Promise.all([0, 1, 2, 3].map((i) => pick(i).repositories.referral.settleHeld({ limit: 1000 }, ctx)));
    expect(runs.reduce((n, run) => n + run.settled, 0)).toBe(40);
    expect(events.filter((e) => e.type === 'referral:approved')).toHaveLength(40);
    expect(await pick(0).models.Referral.countDocuments({ status: 'approved' })).toBe(40);
    await destroy();
  });

  it('refuses a hold that is not a positive number of days', async () => {
    await expect(createTestEngine(db.connection, { review: { holdDays: 0 } })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(createTestEngine(db.connection, { review: { holdDays: '7' as unknown as number } })).rejects.toThrow(/review.holdDays/);
  });
});
