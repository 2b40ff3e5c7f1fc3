import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EventTransport } from '../../src/index.js';
import { PACKAGE_VERSION } from '../../src/kernel/version.js';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();
const exporter = new InMemorySpanExporter();
const down: EventTransport = { name: 'down', publish: async () => Promise.reject(new Error('broker down')), subscribe: async () => () => {} };

beforeAll(() => {
  expect(trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }))).toBe(true);
});
afterAll(() => trace.disable());

const spans = (name: string) => exporter.getFinishedSpans().filter((span) => span.name === name);

describe('tracing', () => {
  it('gives each verb call a span with its verb, outcome and round trips, and no tenant data', async () => {
    const { engine } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    exporter.reset();
    await engine.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);
    await engine.attributeSale({ code: 'NOSUCH22', refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);
    await expect(engine.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, {})).rejects.toMatchObject({
      code: 'tenant_required',
    });
    const [recorded, unknown, refused] = spans('referral.attributeSale');
    expect(recorded?.attributes).toEqual({ 'referral.verb': 'attributeSale', 'referral.outcome': 'ok', 'referral.round_trips': 4 });
    expect(unknown?.attributes).toEqual({ 'referral.verb': 'attributeSale', 'referral.outcome': 'null', 'referral.round_trips': 1 });
    expect(refused?.attributes).toMatchObject({ 'referral.outcome': 'tenant_required', 'referral.round_trips': 0 });
    // An expected refusal is the call's outcome, not a failed span: no ERROR status, no exception event.
    expect(refused?.status.code).toBe(0);
    expect(refused?.events).toEqual([]);
    expect(recorded?.instrumentationScope).toMatchObject({ name: '@classytic/referral', version: PACKAGE_VERSION });
    expect(PACKAGE_VERSION).toBe(JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')).version);
    expect(JSON.stringify(exporter.getFinishedSpans().map((s) => s.attributes))).not.toContain(ctx.organizationId);
  });

  it('records a failure (not a refusal) as an exception with its type and the ERROR status', async () => {
    const connection = await db.openConnection();
    const { engine } = await createTestEngine(connection);
    const ctx = newTenantContext();
    await connection.close(); // the driver now refuses every command
    exporter.reset();
    await expect(engine.repositories.referralCode.generateCode(oid(), 'user', ctx)).rejects.toMatchObject({ name: 'MongoNotConnectedError' });
    const [failed] = spans('referral.referralCode.generateCode');
    expect(failed?.status.code).toBe(2);
    expect(failed?.attributes).toMatchObject({ 'referral.outcome': 'error', 'error.type': 'MongoNotConnectedError' });
    expect(failed?.events.map((event) => [event.name, event.attributes?.['exception.type']])).toEqual([['exception', 'MongoNotConnectedError']]);
  });

  it('names repository, stats and events verbs by their path', async () => {
    const { engine } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    exporter.reset();
    await engine.repositories.referralCode.lookupByCode('ABCD2345', ctx);
    await engine.stats.forReferrer(oid(), ctx);
    await engine.events.redeliver(ctx);
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual([
      'referral.referralCode.lookupByCode',
      'referral.stats.forReferrer',
      'referral.events.redeliver',
    ]);
    expect(typeof engine.events.startRelay({ intervalMs: 60_000 })).toBe('function');
  });
});

describe('logger', () => {
  it('receives delivery failures object first; null silences the engine', async () => {
    const calls: [Record<string, unknown>, string][] = [];
    const logger = { warn: () => {}, error: (fields: Record<string, unknown>, message: string) => void calls.push([fields, message]) };
    const { engine } = await createTestEngine(db.connection, { logger, events: { transport: down } });
    await engine.repositories.referralCode.generateCode(oid(), 'user', newTenantContext());
    expect(calls).toHaveLength(1);
    expect(calls[0]?.[1]).toBe('[@classytic/referral] delivering referral:code.created failed');
    expect(calls[0]?.[0]).toMatchObject({ eventType: 'referral:code.created', err: expect.objectContaining({ message: 'broker down' }) });

    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    const silent = await createTestEngine(db.connection, { logger: null, events: { transport: down } });
    await silent.engine.repositories.referralCode.generateCode(oid(), 'user', newTenantContext());
    expect(consoleError).not.toHaveBeenCalled();
    consoleError.mockRestore();
  });
});

describe('events.pending()', () => {
  it('reports pending documents, the oldest one\u2019s age and parked documents per collection', async () => {
    const { engine } = await createTestEngine(db.connection, { events: { transport: down, onError: () => {}, maxDeliveryAttempts: 2 } });
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    await engine.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);
    const health = await engine.events.pending(ctx);
    const codes = Object.entries(health).find(([name]) => name.endsWith('referral_codes'))?.[1];
    const referrals = Object.entries(health).find(([name]) => name.endsWith('referrals'))?.[1];
    expect(codes).toMatchObject({ pending: 1, parked: 0, oldestPendingAt: expect.any(Date) });
    expect(codes?.oldestAgeMs).toBeGreaterThanOrEqual(0);
    expect(referrals).toMatchObject({ pending: 1, parked: 0 });
    await engine.events.redeliver(ctx);
    expect(Object.values(await engine.events.pending(ctx)).map((h) => [h.pending, h.parked])).toEqual([
      [0, 1],
      [0, 1],
      [0, 0],
      [0, 0],
    ]);
    expect(Object.keys(health).map((name) => name.replace(/^t\d+_/, ''))).toEqual(['referral_codes', 'referrals', 'referral_leads', 'referral_referrers']);
    expect(Object.values(await engine.events.pending(newTenantContext())).map((h) => h.pending + h.parked)).toEqual([0, 0, 0, 0]);
  });
});
