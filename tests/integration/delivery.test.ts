import { describe, expect, it } from 'vitest';
import { createReferral, type DomainEvent, type EventTransport, type ReferralEngine } from '../../src/index.js';
import { useTestDatabase } from '../harness/database.js';
import { newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();
let prefixes = 0;

const engineWith = async (events: Record<string, unknown>): Promise<{ engine: ReferralEngine; errors: { error: unknown; event: DomainEvent }[] }> => {
  const errors: { error: unknown; event: DomainEvent }[] = [];
  const engine = await createReferral({
    connection: db.connection,
    collectionPrefix: `dl${++prefixes}_`,
    events: { onError: (error, event) => void errors.push({ error, event }), ...events },
  });
  await engine.syncIndexes();
  return { engine, errors };
};

const pendingCodes = (engine: ReferralEngine) => engine.models.ReferralCode.collection.countDocuments({ pendingEventsAt: { $exists: true } });

describe('a hung transport', () => {
  it('never holds a verb past events.publishTimeoutMs; the event stays pending and is relayed later', async () => {
    const delivered: DomainEvent[] = [];
    let hang = true;
    const transport: EventTransport = {
      name: 'hung',
      publish: (event) => (hang ? new Promise<void>(() => {}) : Promise.resolve(void delivered.push(event))),
    };
    const { engine, errors } = await engineWith({ transport, publishTimeoutMs: 50 });
    const ctx = newTenantContext();
    const code = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    expect(code.code).toMatch(/^[A-Z0-9]{8}$/);
    expect(await pendingCodes(engine)).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.error).toMatchObject({ code: 'publish_timeout' });
    hang = false;
    expect(await engine.events.redeliver()).toEqual({ published: 1, failed: 0 });
    expect(delivered.map((e) => e.type)).toEqual(['referral:code.created']);
    await engine.destroy();
  });

  it('refuses a publish timeout that is not a positive whole number of milliseconds', async () => {
    for (const publishTimeoutMs of [0, -5, 1.5, Number.NaN, '100' as never]) {
      await expect(engineWith({ publishTimeoutMs })).rejects.toMatchObject({ code: 'validation_failed', field: 'events.publishTimeoutMs' });
    }
  });
});

describe('a throwing subscriber', () => {
  it('leaves the event unacknowledged, so redeliver() sends it again until the subscriber succeeds', async () => {
    const { engine, errors } = await engineWith({});
    let failures = 1;
    const seen: string[] = [];
    await engine.events.subscribe('referral:code.created', (event) => {
      seen.push(event.meta.id);
      if (failures-- > 0) throw new Error('reward service down');
    });
    await engine.repositories.referralCode.generateCode(oid(), 'user', newTenantContext());
    expect(errors).toHaveLength(1);
    expect(await pendingCodes(engine)).toBe(1);
    expect(await engine.events.redeliver()).toEqual({ published: 1, failed: 0 });
    expect(seen).toHaveLength(2);
    expect(new Set(seen).size).toBe(1);
    expect(await engine.events.redeliver()).toEqual({ published: 0, failed: 0 });
    expect(await pendingCodes(engine)).toBe(0);
    await engine.destroy();
  });

  it('parks a poison event after events.maxDeliveryAttempts failures; the host sees it, requeues it and it is delivered', async () => {
    const { engine, errors } = await engineWith({ maxDeliveryAttempts: 3 });
    let broken = true;
    const delivered: string[] = [];
    await engine.events.subscribe('referral:code.created', (event) => {
      if (broken) throw new Error('poison');
      delivered.push(event.meta.id);
    });
    const ctx = newTenantContext();
    const { _id } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx); // attempt 1
    expect(await engine.events.redeliver()).toEqual({ published: 0, failed: 1 }); // attempt 2
    expect(await engine.events.redeliver()).toEqual({ published: 0, failed: 1 }); // attempt 3: parked
    expect(await engine.events.redeliver()).toEqual({ published: 0, failed: 0 });
    expect(await pendingCodes(engine)).toBe(0);
    const parked = await engine.events.parked(ctx);
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ attempts: 3, event: { type: 'referral:code.created', meta: { resourceId: String(_id) } }, lastError: 'poison' });
    expect(errors.some(({ error }) => (error as { code?: string }).code === 'event_parked')).toBe(true);
    expect(await engine.events.parked(newTenantContext())).toEqual([]);

    broken = false;
    expect(await engine.events.requeue(parked[0]!.event.meta.id, newTenantContext())).toBe(false);
    await expect(engine.events.requeue('not an id', ctx)).rejects.toMatchObject({ code: 'validation_failed', field: 'eventId' });
    expect(await engine.events.requeue(parked[0]!.event.meta.id, ctx)).toBe(true);
    expect(await engine.events.requeue(parked[0]!.event.meta.id, ctx)).toBe(false);
    expect(await engine.events.parked(ctx)).toEqual([]);
    expect(await engine.events.redeliver(ctx)).toEqual({ published: 1, failed: 0 });
    expect(delivered).toEqual([parked[0]!.event.meta.id]);
    await engine.destroy();
  });
});

describe('redeliver() inputs', () => {
  it('refuses malformed options and an empty tenant; only a call without ctx spans tenants', async () => {
    const transport: EventTransport = { name: 'down', publish: async () => Promise.reject(new Error('down')) };
    const { engine } = await engineWith({ transport });
    const ctx = newTenantContext();
    await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    for (const [options, field] of [
      [{ olderThanMs: 'abc' }, 'options.olderThanMs'],
      [{ olderThanMs: Number.NaN }, 'options.olderThanMs'],
      [{ olderThanMs: -1 }, 'options.olderThanMs'],
      [{ olderThanMs: { $gt: 0 } }, 'options.olderThanMs'],
      [{ limit: 0 }, 'options.limit'],
      [{ limit: 'x' }, 'options.limit'],
      [{ limit: { $gt: 1 } }, 'options.limit'],
      [{ limit: 10, extra: true }, 'options'],
    ] as const) {
      await expect(engine.events.redeliver(ctx, options as never)).rejects.toMatchObject({ code: 'validation_failed', field });
    }
    for (const bad of [{ organizationId: '' }, {}]) await expect(engine.events.redeliver(bad)).rejects.toMatchObject({ code: 'tenant_required' });
    expect(await engine.events.redeliver(newTenantContext())).toEqual({ published: 0, failed: 0 });
    expect(await engine.events.redeliver(ctx)).toEqual({ published: 0, failed: 1 });
    expect(await engine.events.redeliver()).toEqual({ published: 0, failed: 1 });
    expect(() => engine.events.startRelay({ intervalMs: 0 })).toThrow(expect.objectContaining({ code: 'validation_failed', field: 'options.intervalMs' }));
    await engine.destroy();
  });
});

describe('draining a backlog', () => {
  it('redeliver() sends pending documents a hundred at a time through publishMany, and acknowledges each', async () => {
    const batches: number[] = [];
    let up = false;
    const transport: EventTransport = {
      name: 'batching',
      publish: async () => {
        if (!up) throw new Error('down');
      },
      publishMany: async (events) => {
        batches.push(events.length);
        return new Map(events.map((event) => [event.meta.id, up ? null : new Error('down')] as const));
      },
    };
    const { engine } = await engineWith({ transport, publishAfterWrite: false });
    const ctx = newTenantContext();
    for (let i = 0; i < 250; i++) await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    up = true;
    expect(await engine.events.redeliver(ctx, { limit: 1000 })).toEqual({ published: 250, failed: 0 });
    expect(batches).toEqual([100, 100, 50]);
    expect(await pendingCodes(engine)).toBe(0);
    await engine.destroy();
  });
});
