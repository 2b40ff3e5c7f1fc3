import { describe, expect, it, vi } from 'vitest';
import {
  type CreateReferralOptions,
  createReferral,
  type DomainEvent,
  type EventTransport,
  type ReferralContext,
  referralEventDefinitionsByName,
} from '../../src/index.js';
import { commandCounter } from '../harness/command-counter.js';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();
let prefixes = 0;

/** Records every event the first time it is offered and refuses it, so it stays pending; accepts once `up`. */
const outageTransport = () => {
  const firstOffered: DomainEvent[] = [];
  const accepted: DomainEvent[] = [];
  const state = { up: false };
  const transport: EventTransport = {
    name: 'outage',
    publish: async (event) => {
      if (!state.up) {
        firstOffered.push(structuredClone(event));
        throw new Error('broker down');
      }
      accepted.push(event);
    },
  };
  return { transport, firstOffered, accepted, state };
};

const engineWith = async (options: Partial<CreateReferralOptions> = {}, events: CreateReferralOptions['events'] = {}) => {
  const outage = outageTransport();
  const engine = await createReferral({
    connection: db.connection,
    collectionPrefix: `ce${++prefixes}_`,
    events: { transport: outage.transport, onError: () => {}, ...events },
    logger: null,
    ...options,
  });
  await engine.syncIndexes();
  return { engine, ...outage };
};

const sale = (code: string, extra: Record<string, unknown> = {}) => ({
  code,
  refereeRef: oid(),
  refereeModel: 'user',
  sourceRef: oid(),
  sourceModel: 'Order',
  ...extra,
});

describe('referral:converted is stored compact and rebuilt exactly', () => {
  it('the outbox entry holds no payload; redeliver() publishes the very event first offered (payload, meta, id, timestamp)', async () => {
    const { engine, firstOffered, accepted, state } = await engineWith();
    const ctx: ReferralContext = { ...newTenantContext(), actorId: 'checkout-svc', correlationId: 'req-42' };
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const metadata = { amount: 129.5, currency: 'EUR', items: [{ sku: 'A-1', qty: 2 }], placedAt: new Date('2026-11-01T10:00:00Z'), note: '$5 off' };
    const r = await engine.attributeSale(sale(code, { metadata }), ctx);
    const raw = await engine.models.Referral.collection.findOne({ _id: r?._id });
    expect(raw?.outbox).toEqual([{ type: 'referral:converted', meta: { id: expect.any(String), userId: 'checkout-svc', correlationId: 'req-42' } }]);

    state.up = true;
    expect(await engine.events.redeliver(ctx)).toEqual({ published: 2, failed: 0 }); // the code's event and the sale's
    const offered = firstOffered.find((e) => e.type === 'referral:converted');
    const rebuilt = accepted.find((e) => e.type === 'referral:converted');
    expect(rebuilt).toEqual(offered);
    expect(rebuilt?.meta.timestamp).toEqual(r?.convertedAt);
    expect(rebuilt?.payload).toMatchObject({ metadata: { note: '$5 off', placedAt: new Date('2026-11-01T10:00:00Z') }, underReview: false });
    await engine.destroy();
  });

  it('rebuilds exactly under review, flagged by a guard, through a touch, single-tenant and with a string tenant field', async () => {
    const cases: {
      options: Partial<CreateReferralOptions>;
      ctx: ReferralContext;
      payload: Record<string, unknown>;
      meta: Record<string, unknown>;
      tenantless?: boolean;
    }[] = [
      {
        options: { review: { chain: () => ({ steps: [{ id: 'finance', approvers: ['f1'] }] }) } },
        ctx: { organizationId: 'a'.repeat(24) },
        payload: { underReview: true },
        meta: { organizationId: 'a'.repeat(24) },
      },
      {
        options: { guards: [() => ({ outcome: 'flag', rule: 'manual', reason: 'spot check' })] },
        ctx: newTenantContext(),
        payload: { flagged: true, underReview: false },
        meta: {},
      },
      {
        options: { tenant: { tenantField: 'workspace', fieldType: 'string' } },
        ctx: { workspace: 'acme-eu' } as ReferralContext,
        payload: {},
        meta: { organizationId: 'acme-eu' },
      },
      { options: { tenant: false }, ctx: { actorId: 'ops' }, payload: {}, meta: { userId: 'ops' }, tenantless: true },
    ];
    for (const { options, ctx, payload, meta, tenantless } of cases) {
      const { engine, firstOffered, accepted, state } = await engineWith(options);
      const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
      await engine.trackVisit({ code, visitorId: 'cookie-7' }, ctx);
      await engine.attributeSale({ visitorId: 'cookie-7', refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);
      await engine.attributeSale(sale(code), ctx);
      state.up = true;
      await engine.events.redeliver(ctx);
      const offered = firstOffered.filter((e) => e.type === 'referral:converted');
      expect(offered).toHaveLength(2);
      expect(accepted.filter((e) => e.type === 'referral:converted')).toEqual(offered);
      expect(accepted.filter((e) => e.type === 'referral:flagged')).toEqual(firstOffered.filter((e) => e.type === 'referral:flagged'));
      for (const event of offered) expect(event).toMatchObject({ payload, meta });
      if (tenantless) for (const event of offered) expect(event.meta).not.toHaveProperty('organizationId');
      expect(offered[0]?.payload).toMatchObject({ attribution: { rule: 'last_touch', touchAt: expect.any(String) } });
      await engine.destroy();
    }
  });

  it('later changes to the referral (approve, a refund) do not change the rebuilt converted event', async () => {
    const { engine, firstOffered, accepted, state } = await engineWith();
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const r = await engine.attributeSale(sale(code, { amount: 100, currency: 'USD' }), ctx);
    await engine.repositories.referral.approve(String(r?._id), { decidedBy: 'ops' }, ctx);
    await engine.repositories.referral.reverse(String(r?._id), { reason: 'refund', refundKey: 'rf-1', amount: 40, currency: 'USD' }, ctx);
    state.up = true;
    await engine.events.redeliver(ctx);
    const rebuilt = accepted.find((e) => e.type === 'referral:converted');
    expect(rebuilt).toEqual(firstOffered.find((e) => e.type === 'referral:converted'));
    expect(rebuilt?.payload).toMatchObject({ status: 'converted', amount: 100, currency: 'USD' });
    expect(accepted.map((e) => e.type).sort()).toEqual(['referral:approved', 'referral:code.created', 'referral:converted', 'referral:reversed']);
    await engine.destroy();
  });

  it('a compact event that is parked is listed whole, and after requeue() it is delivered as first offered', async () => {
    const { engine, firstOffered, accepted, state } = await engineWith({}, { maxDeliveryAttempts: 1 });
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    await engine.attributeSale(sale(code, { amount: 12, currency: 'USD' }), ctx); // the only attempt fails: parked at once
    const parked = (await engine.events.parked(ctx)).find((p) => p.event.type === 'referral:converted');
    expect(parked?.event).toEqual(firstOffered.find((e) => e.type === 'referral:converted'));
    state.up = true;
    expect(await engine.events.requeue(String(parked?.event.meta.id), ctx)).toBe(true);
    await engine.events.redeliver(ctx);
    expect(accepted.find((e) => e.type === 'referral:converted')).toEqual(parked?.event);
    await engine.destroy();
  });

  it('erasure rebuilds a pending compact event and stores it scrubbed; the relay then sends the stand-in, without metadata', async () => {
    const { engine, accepted, state } = await engineWith();
    const ctx = newTenantContext();
    const creator = oid();
    const buyer = oid();
    const { code } = await engine.repositories.referralCode.generateCode(creator, 'user', ctx);
    await engine.attributeSale({ ...sale(code, { metadata: { email: 'buyer@example.com' } }), refereeRef: buyer }, ctx);
    await engine.repositories.referral.eraseReferee(buyer, ctx);
    await engine.repositories.referralCode.eraseOwner(creator, 'user', ctx);
    const [raw] = await engine.models.Referral.collection.find({}).toArray();
    const stored = JSON.stringify(raw?.outbox);
    for (const secret of [buyer.toHexString(), creator.toHexString(), 'buyer@example.com']) expect(stored).not.toContain(secret);
    state.up = true;
    await engine.events.redeliver(ctx);
    const converted = accepted.find((e) => e.type === 'referral:converted');
    expect(converted?.payload).toMatchObject({ refereeRef: expect.stringMatching(/^erased:/), referrerRef: expect.stringMatching(/^erased:/) });
    expect(converted?.payload).not.toHaveProperty('metadata');
    await engine.destroy();
  });

  it('a document too damaged to rebuild from is reported and counted failed; the other events still go out', async () => {
    const errors: unknown[] = [];
    const outage = outageTransport();
    const engine = await createReferral({
      connection: db.connection,
      collectionPrefix: `ce${++prefixes}_`,
      events: { transport: outage.transport, onError: (error) => errors.push(error) },
      logger: null,
    });
    await engine.syncIndexes();
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const broken = await engine.attributeSale(sale(code), ctx);
    await engine.attributeSale(sale(code), ctx);
    await engine.models.Referral.collection.updateOne({ _id: broken?._id }, { $unset: { convertedAt: '' } });
    errors.length = 0;
    outage.state.up = true;
    expect(await engine.events.redeliver(ctx)).toEqual({ published: 2, failed: 1 });
    expect(errors).toHaveLength(1);
    expect(await engine.models.Referral.collection.countDocuments({ _id: broken?._id, pendingEventsAt: { $exists: true } })).toBe(1);
    await engine.destroy();
  });

  it('a typical new sale\u2019s upsert is at most 1 KB on the wire (default collection names)', async () => {
    const connection = await db.openConnection({ monitorCommands: true });
    const engine = await createReferral({ connection, logger: null });
    await engine.syncIndexes();
    const counter = commandCounter(connection);
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const start = counter.sent.length;
    await engine.attributeSale({ ...sale(code), metadata: { amount: 49.9, currency: 'USD' } }, ctx);
    const upsert = counter.sent.slice(start).find((command) => command.name === 'findAndModify');
    expect(upsert?.bytes).toBeGreaterThan(500);
    expect(upsert?.bytes).toBeLessThanOrEqual(1024);
    await engine.destroy();
    await engine.models.Referral.collection.drop();
    await engine.models.ReferralCode.collection.drop();
  });
});

describe('a replay builds no event', () => {
  it('referral:converted is validated once, for the new sale that publishes it, and never for its replays', async () => {
    const { engine } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const parse = vi.spyOn(referralEventDefinitionsByName['referral:converted'].zodSchema, 'parse');
    try {
      const input = { code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order', amount: 100, currency: 'USD' };
      await engine.attributeSale(input, ctx);
      expect(parse).toHaveBeenCalledTimes(1);
      for (let i = 0; i < 5; i++) await engine.attributeSale(input, ctx);
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
  });
});
