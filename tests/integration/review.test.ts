import { describe, expect, it } from 'vitest';
import type { CreateChainInput } from '../../src/index.js';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();

const twoStepChain: CreateChainInput = {
  steps: [
    { id: 'manager', approvers: ['m1', 'm2'] },
    { id: 'finance', approvers: ['f1', 'f2'], requiredApprovals: 2 },
  ],
};

const setup = async (chain?: (draft: { amount: number | null; metadata: Record<string, unknown> | null }) => CreateChainInput | null) => {
  const test = await createTestEngine(db.connection, chain ? { review: { chain } } : {});
  const ctx = { ...newTenantContext(), actorId: 'admin-1' };
  const { code } = await test.engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
  const sell = (amount?: number) =>
    test.engine
      .attributeSale(
        { code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order', ...(amount === undefined ? {} : { amount, currency: 'USD' }) },
        ctx,
      )
      .then((r) => {
        if (!r) throw new Error('expected a referral');
        return r;
      });
  return { ...test, ctx, sell };
};

describe('approve and reject without a chain', () => {
  it('a single approve decides, emits referral:approved once and keeps the decision', async () => {
    const { engine, ctx, sell, eventsOf } = await setup();
    const r = await sell();
    const approved = await engine.repositories.referral.approve(String(r._id), { decidedBy: 'manager-7', note: 'verified payment' }, ctx);
    expect(approved).toMatchObject({ status: 'approved', version: 1 });
    expect(approved.decidedAt).toBeInstanceOf(Date);
    expect(approved.decisions).toEqual([expect.objectContaining({ action: 'approve', decidedBy: 'manager-7', note: 'verified payment' })]);
    const events = eventsOf('referral:approved');
    expect(events).toHaveLength(1);
    expect(events[0]?.payload).toMatchObject({ referralId: String(r._id), status: 'approved', decidedBy: 'manager-7', note: 'verified payment' });
    expect(events[0]?.meta.idempotencyKey).toBe(`referral:${r._id}:approved`);
  });

  it('reject moves to rejected with the reason and emits referral:rejected', async () => {
    const { engine, ctx, sell, eventsOf } = await setup();
    const r = await sell();
    const rejected = await engine.repositories.referral.reject(r._id, { decidedBy: 'manager-7', reason: 'refunded' }, ctx);
    expect(rejected.status).toBe('rejected');
    expect(rejected.decisions[0]).toMatchObject({ action: 'reject', reason: 'refunded' });
    expect(eventsOf('referral:rejected')[0]?.payload).toMatchObject({ status: 'rejected', reason: 'refunded', decidedBy: 'manager-7' });
  });

  it.each([
    ['approve after reject', 'reject', 'approve', 'rejected', 'approved'],
    ['reject after approve', 'approve', 'reject', 'approved', 'rejected'],
    ['approve twice', 'approve', 'approve', 'approved', 'approved'],
  ] as const)('%s fails with invalid_transition (409)', async (_name, first, second, from, to) => {
    const { engine, ctx, sell, events } = await setup();
    const r = await sell();
    const decide = (verb: 'approve' | 'reject') =>
      verb === 'approve'
        ? engine.repositories.referral.approve(r._id, { decidedBy: 'm' }, ctx)
        : engine.repositories.referral.reject(r._id, { decidedBy: 'm', reason: 'no' }, ctx);
    await decide(first);
    const before = events.length;
    await expect(decide(second)).rejects.toMatchObject({ code: 'invalid_transition', status: 409, details: { from, to } });
    expect(events.length).toBe(before);
  });

  it('fails with referral_not_found for an unknown id and validation_failed for a malformed one', async () => {
    const { engine, ctx } = await setup();
    await expect(engine.repositories.referral.approve(oid(), { decidedBy: 'm' }, ctx)).rejects.toMatchObject({ code: 'referral_not_found', status: 404 });
    await expect(engine.repositories.referral.approve('nope', { decidedBy: 'm' }, ctx)).rejects.toMatchObject({ code: 'validation_failed', field: 'id' });
  });

  it('a concurrent approve and reject end with exactly one winner and one event', async () => {
    const { engine, ctx, sell, eventsOf } = await setup();
    for (let round = 0; round < 5; round++) {
      const r = await sell();
      const results = await Promise.allSettled([
        engine.repositories.referral.approve(r._id, { decidedBy: 'a' }, ctx),
        engine.repositories.referral.reject(r._id, { decidedBy: 'b', reason: 'dup' }, ctx),
        engine.repositories.referral.approve(r._id, { decidedBy: 'c' }, ctx),
      ]);
      const won = results.filter((x) => x.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const lost of results.filter((x) => x.status === 'rejected')) expect(lost.reason).toMatchObject({ code: 'invalid_transition' });
      const final = await engine.repositories.referral.findById(r._id, ctx);
      expect(final?.decisions).toHaveLength(1);
      const decisive = [...eventsOf('referral:approved'), ...eventsOf('referral:rejected')].filter((e) => e.meta.resourceId === String(r._id));
      expect(decisive).toHaveLength(1);
      expect(decisive[0]?.payload).toMatchObject({ status: final?.status });
    }
  });
});

describe('approve and reject with a chain', () => {
  it('stores the chain from review.chain() and reports underReview', async () => {
    const { sell, eventsOf } = await setup((draft) => ((draft.amount ?? 0) > 100 ? twoStepChain : null));
    const small = await sell(10);
    const large = await sell(500);
    expect(small.approvals).toBeNull();
    expect(large.approvals).toMatchObject({ order: 'sequential', status: 'pending' });
    expect(eventsOf('referral:converted').map((e) => (e.payload as { underReview: boolean }).underReview)).toEqual([false, true]);
  });

  it('moves to approved only when the whole chain approves, with one event', async () => {
    const { engine, ctx, sell, eventsOf } = await setup(() => twoStepChain);
    const r = await sell();
    const repo = engine.repositories.referral;
    const afterManager = await repo.approve(r._id, { decidedBy: 'm2', note: 'ok' }, ctx);
    expect(afterManager.status).toBe('converted');
    expect(afterManager.approvals?.steps[0]?.status).toBe('approved');
    const afterFirstFinance = await repo.approve(r._id, { decidedBy: 'f1' }, ctx);
    expect(afterFirstFinance.status).toBe('converted');
    expect(eventsOf('referral:approved')).toHaveLength(0);
    const done = await repo.approve(r._id, { decidedBy: 'f2' }, ctx);
    expect(done.status).toBe('approved');
    expect(done.approvals?.status).toBe('approved');
    expect(done.decisions.map((d) => d.decidedBy)).toEqual(['m2', 'f1', 'f2']);
    expect(eventsOf('referral:approved')).toHaveLength(1);
    expect(eventsOf('referral:approved')[0]?.payload).toMatchObject({ decidedBy: 'f2' });
  });

  it('refuses approvers who are not on the active step and repeated decisions', async () => {
    const { engine, ctx, sell } = await setup(() => twoStepChain);
    const r = await sell();
    const repo = engine.repositories.referral;
    await expect(repo.approve(r._id, { decidedBy: 'f1' }, ctx)).rejects.toMatchObject({ code: 'UNAUTHORIZED_APPROVER', status: 403 });
    await expect(repo.approve(r._id, { decidedBy: 'f1', stepId: 'finance' }, ctx)).rejects.toMatchObject({ code: 'STEP_NOT_ACTIVE' });
    await repo.approve(r._id, { decidedBy: 'm1' }, ctx);
    await repo.approve(r._id, { decidedBy: 'f1' }, ctx);
    await expect(repo.approve(r._id, { decidedBy: 'f1' }, ctx)).rejects.toMatchObject({ code: 'STEP_ALREADY_DECIDED_BY_APPROVER' });
    expect((await repo.findById(r._id, ctx))?.version).toBe(2);
  });

  it('a listed approver can reject, which rejects the referral', async () => {
    const { engine, ctx, sell, eventsOf } = await setup(() => twoStepChain);
    const r = await sell();
    await expect(engine.repositories.referral.reject(r._id, { decidedBy: 'outsider', reason: 'x' }, ctx)).rejects.toMatchObject({
      code: 'UNAUTHORIZED_APPROVER',
    });
    const rejected = await engine.repositories.referral.reject(r._id, { decidedBy: 'm1', reason: 'self-dealing' }, ctx);
    expect(rejected.status).toBe('rejected');
    expect(rejected.approvals?.status).toBe('rejected');
    expect(eventsOf('referral:rejected')).toHaveLength(1);
  });

  it('a concurrent approve and reject on the same step have one winner', async () => {
    const { engine, ctx, sell } = await setup(() => ({ steps: [{ id: 'review', approvers: ['a', 'b'] }] }));
    const r = await sell();
    const results = await Promise.allSettled([
      engine.repositories.referral.approve(r._id, { decidedBy: 'a' }, ctx),
      engine.repositories.referral.reject(r._id, { decidedBy: 'b', reason: 'no' }, ctx),
    ]);
    expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    const final = await engine.repositories.referral.findById(r._id, ctx);
    expect(['approved', 'rejected']).toContain(final?.status);
    expect(final?.approvals?.status).toBe(final?.status);
  });
});

describe('updateApprovals', () => {
  it('replaces the chain of a referral under review and records who did it', async () => {
    const { engine, ctx, sell } = await setup();
    const r = await sell();
    const updated = await engine.repositories.referral.updateApprovals(r._id, { order: 'parallel', steps: [{ id: 'risk', approvers: ['r1'] }] }, ctx);
    expect(updated.approvals).toMatchObject({ order: 'parallel', status: 'pending' });
    expect(updated.decisions.at(-1)).toMatchObject({ action: 'update_approvals', decidedBy: 'admin-1' });
    expect((await engine.repositories.referral.approve(r._id, { decidedBy: 'r1' }, ctx)).status).toBe('approved');
  });

  it('a supplied chain that claims approved is recomputed from its decisions: it approves nothing', async () => {
    const { engine, ctx, sell, eventsOf } = await setup();
    const r = await sell();
    const forged = {
      order: 'sequential' as const,
      status: 'approved' as const,
      steps: [{ id: 'board', approvers: [{ id: 'ceo' }], requiredApprovals: 1, status: 'approved' as const, decisions: [] }],
    };
    const updated = await engine.repositories.referral.updateApprovals(r._id, forged, ctx);
    expect(updated).toMatchObject({ status: 'converted', approvals: { status: 'pending', steps: [{ status: 'pending' }] } });
    await expect(engine.repositories.referral.approve(r._id, { decidedBy: 'someone' }, ctx)).rejects.toMatchObject({ code: 'UNAUTHORIZED_APPROVER' });
    expect(eventsOf('referral:approved')).toHaveLength(0);
    const withHistory = {
      ...forged,
      steps: [{ ...forged.steps[0]!, decisions: [{ approverId: 'ceo', decision: 'approved' as const, decidedAt: new Date() }] }],
    };
    expect((await engine.repositories.referral.updateApprovals(r._id, withHistory, ctx)).approvals?.status).toBe('approved');
    expect((await engine.repositories.referral.approve(r._id, { decidedBy: 'm' }, ctx)).status).toBe('approved');
  });

  it('refuses a decided referral and an invalid chain', async () => {
    const { engine, ctx, sell } = await setup();
    const r = await sell();
    await expect(
      engine.repositories.referral.updateApprovals(r._id, { steps: [{ id: 's', approvers: ['a'], requiredApprovals: 3 }] }, ctx),
    ).rejects.toMatchObject({ code: 'INVALID_QUORUM' });
    await expect(engine.repositories.referral.updateApprovals(r._id, { steps: [] }, ctx)).rejects.toMatchObject({ code: 'EMPTY_STEPS', status: 422 });
    await engine.repositories.referral.approve(r._id, { decidedBy: 'm' }, ctx);
    await expect(engine.repositories.referral.updateApprovals(r._id, twoStepChain, ctx)).rejects.toMatchObject({ code: 'invalid_transition' });
  });
});

describe('listForReferrer', () => {
  it('pages newest first with an opaque cursor, filters by status and stays in the tenant', async () => {
    const { engine, ctx } = await setup();
    const referrer = oid();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await engine.repositories.referral.recordConversion(
        { referrerRef: referrer, referrerModel: 'user', refereeRef: oid(), refereeModel: 'user', sourceRef: `order-${i}`, sourceModel: 'Order' },
        ctx,
      );
      ids.push(String(r._id));
    }
    await engine.repositories.referral.approve(ids[2] as string, { decidedBy: 'm' }, ctx);
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await engine.repositories.referral.listForReferrer(referrer, { limit: 3, ...(after ? { after } : {}) }, ctx);
      seen.push(...page.items.map((r) => String(r._id)));
      after = page.next ?? undefined;
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
    const approved = await engine.repositories.referral.listForReferrer(referrer.toHexString(), { status: 'approved' }, ctx);
    expect(approved.items.map((r) => String(r._id))).toEqual([ids[2]]);
    expect(approved.next).toBeNull();
    expect((await engine.repositories.referral.listForReferrer(referrer, {}, newTenantContext())).items).toEqual([]);
  });

  it('refuses a forged cursor and an oversized page', async () => {
    const { engine, ctx } = await setup();
    await expect(engine.repositories.referral.listForReferrer(oid(), { after: 'forged' }, ctx)).rejects.toMatchObject({
      code: 'validation_failed',
      field: 'options.after',
    });
    await expect(engine.repositories.referral.listForReferrer(oid(), { limit: 1000 }, ctx)).rejects.toMatchObject({
      code: 'validation_failed',
      field: 'options.limit',
    });
  });
});

describe('a retried decision', () => {
  it('with the same ctx.idempotencyKey gets the stored result, not invalid_transition, and emits nothing more', async () => {
    const { engine, ctx, sell, eventsOf } = await setup();
    const r = await sell();
    const keyed = { ...ctx, idempotencyKey: 'approve-req-1' };
    const first = await engine.repositories.referral.approve(String(r._id), { decidedBy: 'manager-7' }, keyed);
    // The reply was lost; the host sends the same request again.
    const retried = await engine.repositories.referral.approve(String(r._id), { decidedBy: 'manager-7' }, keyed);
    expect(retried).toMatchObject({ status: 'approved', version: first.version });
    expect(retried.decisions).toHaveLength(1);
    expect(retried.decisions[0]).toMatchObject({ action: 'approve', decidedBy: 'manager-7', idempotencyKey: 'approve-req-1' });
    expect(eventsOf('referral:approved')).toHaveLength(1);
    // Without the key, the same call is a second decision, which the status refuses.
    await expect(engine.repositories.referral.approve(String(r._id), { decidedBy: 'manager-7' }, ctx)).rejects.toMatchObject({ code: 'invalid_transition' });
  });

  it('with the same key but another decision is a replay conflict, and changes nothing', async () => {
    const { engine, ctx, sell, eventsOf } = await setup();
    const r = await sell();
    const keyed = { ...ctx, idempotencyKey: 'req-2' };
    await engine.repositories.referral.approve(String(r._id), { decidedBy: 'manager-7' }, keyed);
    await expect(engine.repositories.referral.reject(String(r._id), { decidedBy: 'manager-7', reason: 'fraud' }, keyed)).rejects.toMatchObject({
      code: 'replay_conflict',
      status: 409,
    });
    await expect(engine.repositories.referral.approve(String(r._id), { decidedBy: 'manager-8' }, keyed)).rejects.toMatchObject({ code: 'replay_conflict' });
    expect((await engine.repositories.referral.findById(String(r._id), ctx))?.decisions).toHaveLength(1);
    expect(eventsOf('referral:rejected')).toHaveLength(0);
  });

  it('a retried reversal with the same key is answered as recorded, like one with the same refundKey', async () => {
    const { engine, ctx, sell, eventsOf } = await setup();
    const r = await sell(100);
    const keyed = { ...ctx, idempotencyKey: 'refund-req-1' };
    await engine.repositories.referral.reverse(String(r._id), { refundKey: 'rf-1', reason: 'refund', amount: 40, currency: 'USD' }, keyed);
    const again = await engine.repositories.referral.reverse(String(r._id), { refundKey: 'rf-1', reason: 'refund', amount: 40, currency: 'USD' }, keyed);
    expect(again.reversals).toHaveLength(1);
    expect(eventsOf('referral:reversed')).toHaveLength(1);
  });
});
