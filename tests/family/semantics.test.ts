import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import {
  createReferral,
  type DomainEvent,
  DuplicateError,
  type EventTransport,
  InvalidTransitionError,
  isApproved,
  pendingSteps,
  referralEventDefinitions,
  ValidationError,
} from '../../src/index.js';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, oid } from '../harness/engine.js';
import type * as up from './upstream.js';

const db = useTestDatabase();

/**
 * A registry with @classytic/arc's built-in rules (src/events/defineEvent.ts, 249f200): name:version keys, duplicates refused,
 * required + top-level types compared with `typeof` (the strictest arc: its later revision, 0bf1caa, also accepts `integer`).
 */
const arcLikeRegistry = () => {
  const definitions = new Map<string, up.EventDefinitionOutput>();
  return {
    register(definition: up.EventDefinitionOutput) {
      const key = `${definition.name}:v${definition.version}`;
      if (definitions.has(key)) throw new Error(`${key} registered twice`);
      definitions.set(key, definition);
    },
    validate(name: string, payload: Record<string, unknown>): string[] {
      const schema = [...definitions.values()].find((d) => d.name === name)?.schema;
      if (!schema) return [`${name} not registered`];
      const missing = (schema.required ?? []).filter((field) => payload[field] === undefined).map((field) => `missing ${field}`);
      const mistyped = Object.entries(schema.properties ?? {})
        .filter(([key, property]) => payload[key] != null && property.type && property.type !== (Array.isArray(payload[key]) ? 'array' : typeof payload[key]))
        .map(([key]) => `mistyped ${key}`);
      return [...missing, ...mistyped];
    },
  };
};

/** primitives' InProcessEventBus as documented (src/events/event-infra.ts): async subscribe, publishMany results, isolated handlers. */
const primitivesLikeBus = (): up.InProcessEventBusShape & { delivered: DomainEvent[] } => {
  const handlers = new Map<string, Set<up.EventHandler>>();
  const delivered: DomainEvent[] = [];
  const bus = {
    name: 'in-process',
    delivered,
    async publish(event: DomainEvent) {
      delivered.push(event);
      for (const [pattern, set] of handlers) if (pattern === '*' || event.type.startsWith(pattern.replace(/\*$/, ''))) for (const h of set) await h(event);
    },
    async publishMany(events: readonly DomainEvent[]) {
      const results = new Map<string, Error | null>();
      for (const event of events) {
        await bus.publish(event);
        results.set(event.meta.id, null);
      }
      return results;
    },
    async subscribe(pattern: string, handler: up.EventHandler) {
      handlers.set(pattern, (handlers.get(pattern) ?? new Set()).add(handler));
      return () => void handlers.get(pattern)?.delete(handler);
    },
    async close() {
      handlers.clear();
    },
  };
  return bus;
};

describe('events in an arc host', () => {
  it('registers every definition by iterating the array, and every emitted payload validates', async () => {
    const registry = arcLikeRegistry();
    for (const definition of referralEventDefinitions) registry.register(definition);
    expect(referralEventDefinitions.length).toBe(11);
    const { engine, events } = await createTestEngine(db.connection);
    const ctx = { organizationId: oid() };
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const sale = await engine.attributeSale(
      { code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order', amount: 5, currency: 'USD' },
      ctx,
    );
    await engine.repositories.referral.approve(String(sale?._id), { decidedBy: 'm' }, ctx);
    await engine.repositories.referral.reverse(String(sale?._id), { reason: 'refund', refundKey: 'r1' }, ctx);
    await engine.repositories.referralCode.deactivate(code, ctx);
    expect(events.length).toBeGreaterThanOrEqual(5);
    for (const event of events) expect(registry.validate(event.type, event.payload as Record<string, unknown>), event.type).toEqual([]);
  });

  it('takes primitives\u2019 bus as its transport, publishes through it, and never closes it', async () => {
    const bus = primitivesLikeBus();
    const engine = await createReferral({ connection: db.connection, collectionPrefix: 'pbus_', events: { transport: bus } });
    await engine.syncIndexes();
    await engine.repositories.referralCode.generateCode(oid(), 'user', { organizationId: oid() });
    expect(bus.delivered.map((e) => e.type)).toEqual(['referral:code.created']);
    await engine.close();
    let after = 0;
    await bus.subscribe('*', () => void after++);
    await bus.publish(bus.delivered[0]!);
    expect(after).toBe(1);
  });
});

describe('OperationContext', () => {
  /** An ObjectId from another bson copy: not an instance of ours, but with toHexString. */
  const foreignId = (hex = new Types.ObjectId().toHexString()) => ({ toHexString: () => hex, toString: () => hex });

  it('accepts IdLike ids from any bson copy and the other OperationContext fields, and maps meta like createScopedEvent', async () => {
    const { engine, events } = await createTestEngine(db.connection);
    const org = foreignId();
    const actor = foreignId();
    const ctx: up.OperationContext = {
      organizationId: org,
      actorId: actor,
      traceId: 't-1',
      requestId: 'req-1',
      correlationId: 'corr-1',
      idempotencyKey: 'idem-1',
      mode: 'soft',
      metadata: { locale: 'en' },
    };
    const code = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    expect(String(code.organizationId)).toBe(org.toHexString());
    expect(events[0]?.meta).toMatchObject({ userId: actor.toHexString(), organizationId: org.toHexString(), correlationId: 'corr-1' });
    expect(events[0]?.meta.causationId).toBeUndefined();
    expect(events[0]?.meta.idempotencyKey).toBe(`referral_code:${code._id}:created`);
  });
});

describe('repo-core TenantConfig', () => {
  const codeFor = (engine: Awaited<ReturnType<typeof createTestEngine>>['engine'], ctx: Record<string, unknown>) =>
    engine.repositories.referralCode.generateCode(oid(), 'user', ctx as never);

  it("strategy 'none' is single-tenant", async () => {
    const { engine } = await createTestEngine(db.connection, { tenant: { strategy: 'none' } });
    const code = await codeFor(engine, {});
    expect(code).not.toHaveProperty('organizationId');
  });

  it('tenantField branchId is read from ctx.branchId, and contextKey can name another key', async () => {
    const branch = oid();
    const { engine } = await createTestEngine(db.connection, { tenant: { tenantField: 'branchId' } });
    expect(String(((await codeFor(engine, { branchId: branch })) as unknown as { branchId: unknown }).branchId)).toBe(branch.toHexString());
    await expect(codeFor(engine, { organizationId: branch })).rejects.toMatchObject({ code: 'tenant_required', details: { field: 'ctx.branchId' } });
    const keyed = await createTestEngine(db.connection, { tenant: { fieldType: 'string', contextKey: 'tenantId' } });
    expect((await codeFor(keyed.engine, { tenantId: 'acme' })).organizationId).toBe('acme');
  });

  it("strategy 'custom' scopes by what resolve(ctx) returns", async () => {
    const { engine } = await createTestEngine(db.connection, {
      tenant: {
        strategy: 'custom',
        fieldType: 'string',
        resolve: (ctx) => (ctx.account ? { organizationId: `acct-${String(ctx.account)}`, region: 'eu' } : undefined),
      },
    });
    const code = await codeFor(engine, { account: 7 });
    expect(code).toMatchObject({ organizationId: 'acct-7', region: 'eu' });
    expect(await engine.resolveReferrer(code.code, { account: 7 } as never)).not.toBeNull();
    expect(await engine.resolveReferrer(code.code, { account: 8 } as never)).toBeNull();
    await expect(codeFor(engine, {})).rejects.toMatchObject({ code: 'tenant_required' });
  });

  it('required: false lets reads run across tenants; writes still need a tenant', async () => {
    const { engine } = await createTestEngine(db.connection, { tenant: { required: false } });
    const code = await codeFor(engine, { organizationId: oid() });
    expect((await engine.repositories.referralCode.lookupByCode(code.code, {}))?.code).toBe(code.code);
    await expect(codeFor(engine, {})).rejects.toMatchObject({ code: 'tenant_required' });
  });
});

describe('errors through repo-core toErrorContract', () => {
  /** What toErrorContract (src/errors/contract.ts) reads: status, code, meta, validationErrors, duplicate. */
  const render = (error: up.HttpError) => ({
    code: error.code,
    status: error.status,
    details: [
      ...(error.validationErrors ?? []).map((v) => ({ path: v.path, code: v.validator, message: v.error })),
      ...(error.duplicate?.fields ?? []).map((path) => ({ path, code: 'duplicate_key' })),
    ],
    meta: error.meta,
  });

  it('renders per-field validation issues, duplicate fields and structured meta', () => {
    const invalid = render(
      new ValidationError([
        { field: 'input.sourceRef', message: 'Must not be empty' },
        { field: 'input.refereeModel', message: 'Required' },
      ]),
    );
    expect(invalid).toMatchObject({
      code: 'validation_failed',
      status: 422,
      details: [{ path: 'input.sourceRef', message: 'Must not be empty' }, { path: 'input.refereeModel' }],
    });
    expect(render(new DuplicateError(['sourceRef']))).toMatchObject({
      code: 'duplicate',
      status: 409,
      details: [{ path: 'sourceRef', code: 'duplicate_key' }],
    });
    expect(render(new InvalidTransitionError('approved', 'rejected'))).toMatchObject({
      code: 'invalid_transition',
      meta: { from: 'approved', to: 'rejected' },
    });
  });
});

describe('primitives approval chains at review', () => {
  it('takes a CreateChainInput with names, roles and thresholds, evaluated against the referral', async () => {
    const input: up.CreateChainInput = {
      order: 'sequential',
      steps: [
        { id: 'manager', name: 'Manager', approvers: [{ id: 'm1', name: 'Mia', role: 'manager' }] },
        { id: 'finance', approvers: [{ id: 'f1' }], threshold: { field: 'amount', op: 'gt', value: 1000 } },
      ],
    };
    const { engine } = await createTestEngine(db.connection, { review: { chain: () => input } });
    const ctx = { organizationId: oid() };
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const small = await engine.attributeSale(
      { code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order', amount: 50, currency: 'USD' },
      ctx,
    );
    const chain = small?.approvals;
    expect(chain?.steps[1]).toMatchObject({ status: 'skipped', skippedReason: 'threshold not met: amount gt 1000' });
    expect(chain && pendingSteps(chain).map((s) => s.id)).toEqual(['manager']);
    const approved = await engine.repositories.referral.approve(String(small?._id), { decidedBy: 'm1' }, ctx);
    expect(approved.status).toBe('approved');
    expect(approved.approvals && isApproved(approved.approvals)).toBe(true);
  });

  it('takes a whole ApprovalChain and keeps its history, recomputed', async () => {
    const decided: up.ApprovalChain = {
      order: 'parallel',
      status: 'pending',
      steps: [
        {
          id: 'risk',
          approvers: [{ id: 'r1' }],
          requiredApprovals: 1,
          status: 'approved',
          decisions: [{ approverId: 'r1', decision: 'approved', decidedAt: new Date() }],
        },
        { id: 'ops', approvers: [{ id: 'o1' }], requiredApprovals: 1, status: 'pending', decisions: [] },
      ],
    };
    const { engine } = await createTestEngine(db.connection, { review: { chain: () => decided } });
    const ctx = { organizationId: oid() };
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const r = await engine.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);
    expect(r?.approvals?.steps.map((s) => s.status)).toEqual(['approved', 'pending']);
    expect((await engine.repositories.referral.approve(String(r?._id), { decidedBy: 'o1' }, ctx)).status).toBe('approved');
  });
});

describe('a host transport typed as the family types it', () => {
  it('compiles and runs without a cast', async () => {
    const transport: up.EventTransport = primitivesLikeBus();
    const asOurs: EventTransport = transport;
    expect(asOurs.name).toBe('in-process');
  });
});
