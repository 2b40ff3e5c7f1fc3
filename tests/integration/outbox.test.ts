import { describe, expect, it } from 'vitest';
import type { OutboxStore } from '../../src/events/outbox.js';
import { createReferral, type DomainEvent, type EventTransport, type ReferralEngine } from '../../src/index.js';
import { useTestDatabase } from '../harness/database.js';
import { newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();
let prefixes = 0;

/** A transport that records what it accepted and fails the first `failures` publishes. */
const flakyTransport = (failures: number) => {
  const delivered: DomainEvent[] = [];
  let remaining = failures;
  const transport: EventTransport = {
    name: 'flaky',
    publish: async (event) => {
      if (remaining-- > 0) throw new Error('broker unavailable');
      delivered.push(event);
    },
  };
  return { transport, delivered };
};

const engineWith = async (transport: EventTransport, extra: Record<string, unknown> = {}, prefix = `ob${++prefixes}_`): Promise<ReferralEngine> => {
  const engine = await createReferral({ connection: db.connection, collectionPrefix: prefix, events: { transport, onError: () => {}, ...extra } });
  await engine.syncIndexes();
  return engine;
};

const sale = (code: string) => ({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' });

describe('at-least-once delivery', () => {
  it('a publish that fails stays pending and redeliver() sends it once, with the same id and idempotency key', async () => {
    const { transport, delivered } = flakyTransport(1);
    const engine = await engineWith(transport);
    const ctx = newTenantContext();
    const code = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx); // first publish fails
    expect(delivered).toHaveLength(0);
    const raw = await engine.models.ReferralCode.collection.findOne({ _id: code._id });
    expect(raw?.outbox).toHaveLength(1);
    expect(raw?.pendingEventsAt).toBeInstanceOf(Date);
    expect(code).not.toHaveProperty('outbox');

    expect(await engine.events.redeliver()).toEqual({ published: 1, failed: 0 });
    expect(delivered.map((e) => e.type)).toEqual(['referral:code.created']);
    const stored = raw?.outbox?.[0] as DomainEvent;
    expect(delivered[0]?.meta).toMatchObject({ id: stored.meta.id, idempotencyKey: `referral_code:${code._id}:created` });
    expect(await engine.events.redeliver()).toEqual({ published: 0, failed: 0 });
    const acked = await engine.models.ReferralCode.collection.findOne({ _id: code._id });
    expect(acked).not.toHaveProperty('outbox');
    expect(acked).not.toHaveProperty('pendingEventsAt');
    await engine.destroy();
  });

  it('records returned by a sale and its replay carry none of the outbox fields, even while their events are pending', async () => {
    const { transport } = flakyTransport(1_000);
    const engine = await engineWith(transport, { maxDeliveryAttempts: 1 });
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const input = sale(code);
    const created = await engine.attributeSale(input, ctx);
    await engine.events.redeliver(); // parks the converted event: the stored record now has every outbox field
    const stored = await engine.models.Referral.collection.findOne({ _id: created?._id });
    expect(Object.keys(stored ?? {})).toEqual(expect.arrayContaining(['parkedEvents', 'parkedEventsAt', 'outbox']));
    const replayed = await engine.attributeSale(input, ctx);
    for (const record of [created, replayed]) {
      for (const field of ['outbox', 'pendingEventsAt', 'deliveryFailures', 'parkedEvents', 'parkedEventsAt']) expect(record).not.toHaveProperty(field);
    }
    await engine.destroy();
  });

  it('acknowledges published events so nothing is redelivered', async () => {
    const { transport, delivered } = flakyTransport(0);
    const engine = await engineWith(transport);
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    await engine.attributeSale(sale(code), ctx);
    expect(delivered).toHaveLength(2);
    expect(await engine.events.redeliver()).toEqual({ published: 0, failed: 0 });
    expect(await engine.models.Referral.collection.countDocuments({ pendingEventsAt: { $exists: true } })).toBe(0);
    await engine.destroy();
  });

  it('acknowledging one event of a document keeps the events beside it that were not published', async () => {
    const failing = new Set(['referral:approved']);
    const delivered: string[] = [];
    const transport: EventTransport = {
      name: 'picky',
      publish: async (event) => {
        if (failing.has(event.type)) throw new Error('down');
        delivered.push(event.type);
      },
    };
    const engine = await engineWith(transport, { ackDelayMs: 60_000 });
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const referral = await engine.attributeSale(sale(code), ctx);
    // Both events sit in the outbox when the converted one's acknowledgement is written.
    await engine.repositories.referral.approve(String(referral?._id), { decidedBy: 'm' }, ctx);
    // redeliver() writes the buffered acknowledgements first, then fails the approved event again.
    expect(await engine.events.redeliver()).toEqual({ published: 0, failed: 1 });
    const stored = await engine.models.Referral.collection.findOne({ _id: referral?._id });
    expect((stored?.outbox as DomainEvent[] | undefined)?.map((event) => event.type)).toEqual(['referral:approved']);
    expect(stored?.pendingEventsAt).toBeInstanceOf(Date);
    failing.clear();
    expect(await engine.events.redeliver()).toEqual({ published: 1, failed: 0 });
    const acknowledged = await engine.models.Referral.collection.findOne({ _id: referral?._id });
    expect(acknowledged).not.toHaveProperty('pendingEventsAt');
    expect(acknowledged).not.toHaveProperty('outbox');
    expect(acknowledged).not.toHaveProperty(`deliveryFailures.${String(stored?.outbox?.[0]?.meta?.id)}`);
    expect(delivered).toEqual(['referral:code.created', 'referral:converted', 'referral:approved']);
    await engine.destroy();
  });

  it('a process that dies after the write and before the publish loses nothing: another process relays it', async () => {
    let reachedPublish!: () => void;
    const publishing = new Promise<void>((resolve) => (reachedPublish = resolve));
    const hanging: EventTransport = {
      name: 'dying',
      publish: () => {
        reachedPublish();
        return new Promise<void>(() => {});
      },
    };
    const crashed = await createReferral({ connection: db.connection, collectionPrefix: 'crash_', events: { transport: hanging } });
    await crashed.syncIndexes();
    const ctx = newTenantContext();
    const owner = oid();
    void crashed.repositories.referralCode.generateCode(owner, 'user', ctx); // never completes
    await publishing; // the write is done; the process "dies" inside publish

    const survivorConnection = await db.openConnection();
    const { transport, delivered } = flakyTransport(0);
    const survivor = await createReferral({ connection: survivorConnection, collectionPrefix: 'crash_', events: { transport } });
    expect(await survivor.events.redeliver()).toEqual({ published: 1, failed: 0 });
    expect(delivered[0]).toMatchObject({ type: 'referral:code.created', payload: { ownerRef: owner.toHexString() } });
    await survivor.destroy();
  });

  /** An engine with one code whose creation event was already delivered. */
  const withCode = async () => {
    const { transport, delivered } = flakyTransport(0);
    const engine = await engineWith(transport);
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    // Writes the code event's acknowledgement now: the test server's abort restores the whole
    // store, so an acknowledgement flushed during a rolled-back transaction would be undone.
    expect(await engine.events.redeliver()).toEqual({ published: 0, failed: 0 });
    delivered.length = 0;
    return { engine, ctx, code, delivered };
  };

  it('no event is published for a write rolled back with its transaction', async () => {
    const { engine, ctx, code, delivered } = await withCode();
    const session = await db.connection.startSession();
    try {
      session.startTransaction();
      const r = await engine.attributeSale(sale(code), { ...ctx, session });
      expect(r?.status).toBe('converted');
      expect(delivered).toHaveLength(0); // held until commit
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
    expect(await engine.models.Referral.countDocuments({})).toBe(0);
    expect(await engine.events.redeliver()).toEqual({ published: 0, failed: 0 });
    expect(delivered).toHaveLength(0);
    await engine.destroy();
  });

  it('events of a committed transaction are published by redeliver() after the commit', async () => {
    const { engine, ctx, code, delivered } = await withCode();
    const session = await db.connection.startSession();
    try {
      await session.withTransaction(async () => {
        await engine.attributeSale(sale(code), { ...ctx, session });
      });
    } finally {
      await session.endSession();
    }
    expect(delivered).toHaveLength(0);
    expect(await engine.events.redeliver(newTenantContext())).toEqual({ published: 0, failed: 0 }); // another tenant's relay sees nothing
    expect(await engine.events.redeliver(ctx)).toEqual({ published: 1, failed: 0 });
    expect(delivered.map((e) => e.type)).toEqual(['referral:converted']);
    await engine.destroy();
  });

  it('startRelay() drains pending events on its own and stops with destroy()', async () => {
    const { transport, delivered } = flakyTransport(1);
    const engine = await engineWith(transport);
    await engine.repositories.referralCode.generateCode(oid(), 'user', newTenantContext());
    expect(delivered).toHaveLength(0);
    engine.events.startRelay({ intervalMs: 20, olderThanMs: 0 });
    await expect.poll(() => delivered.length, { timeout: 5_000, interval: 20 }).toBe(1);
    await engine.destroy();
  });
});

describe('host outbox store', () => {
  it('saves every event through the store in the caller session, publishes it, then acknowledges it', async () => {
    const saved = new Map<string, DomainEvent>();
    const sessions: unknown[] = [];
    const store: OutboxStore = {
      transactionalSave: true,
      save: async (event, options) => {
        sessions.push(options?.session);
        saved.set(event.meta.id, event);
      },
      getPending: async (limit) => [...saved.values()].slice(0, limit),
      acknowledge: async (id) => {
        saved.delete(id);
      },
    };
    const { transport, delivered } = flakyTransport(1);
    const engine = await engineWith(transport, { outbox: store });
    const ctx = newTenantContext();
    const doc = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    expect(saved.size).toBe(1); // publish failed: still pending in the host store
    expect(sessions).toEqual([null]);
    expect(await engine.models.ReferralCode.collection.findOne({ _id: doc._id })).not.toHaveProperty('outbox');
    await engine.attributeSale(sale(doc.code), ctx);
    expect(delivered.map((e) => e.type)).toEqual(['referral:converted']);
    expect(await engine.events.redeliver()).toEqual({ published: 1, failed: 0 });
    expect(saved.size).toBe(0);
    await engine.destroy();
  });
});
