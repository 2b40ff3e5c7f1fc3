import { describe, expect, it } from 'vitest';
import type { ReferralContext, ReferralEngine } from '../../src/index.js';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();

type Verb = (...args: unknown[]) => Promise<unknown>;

/**
 * Every public verb, read off the objects themselves: the engine's own functions, the events
 * facade's functions and each repository's prototype methods. A new verb shows up here without
 * anyone adding it, and then fails the probe until the table below says how to call it.
 */
const publicVerbs = (engine: ReferralEngine): Map<string, Verb> => {
  const verbs = new Map<string, Verb>();
  // Not verbs: mongoose models (the host's own escape hatch) and the events facade's data.
  const notVerbs = new Set(['models', 'transport', 'definitions']);
  const methodsOf = (target: object): string[] => {
    const proto = Object.getPrototypeOf(target);
    return [...Object.keys(target), ...(proto && proto !== Object.prototype ? Object.getOwnPropertyNames(proto) : [])];
  };
  const walk = (prefix: string, target: object) => {
    for (const name of methodsOf(target)) {
      if (name === 'constructor' || notVerbs.has(name)) continue;
      const value = (target as Record<string, unknown>)[name];
      if (typeof value === 'function') verbs.set(`${prefix}${name}`, (value as Verb).bind(target));
      else if (value && typeof value === 'object') walk(prefix === 'engine.' && name === 'repositories' ? '' : `${name}.`, value);
    }
  };
  walk('engine.', engine);
  return verbs;
};

interface Fixture {
  refereeRef: string;
  code: string;
  vanity: string;
  ownerRef: string;
  referralId: string;
  otherTenant: ReferralContext;
}

type Probe =
  | { unscoped: string }
  | {
      args: (f: Fixture) => unknown[] /** Asserts the outcome of the call made in the other tenant. */;
      foreign: (outcome: { value?: unknown; error?: unknown }, f: Fixture) => void;
    };

const notFound = (code: string) => (outcome: { error?: unknown }) => expect(outcome.error).toMatchObject({ code, status: 404 });
const isNull = (outcome: { value?: unknown; error?: unknown }) => {
  expect(outcome.error).toBeUndefined();
  expect(outcome.value).toBeNull();
};
const sale = (f: Fixture) => ({ code: f.code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' });

const probes: Record<string, Probe> = {
  'engine.resolveReferrer': { args: (f) => [f.code], foreign: isNull },
  'engine.attributeSale': { args: (f) => [sale(f)], foreign: isNull },
  'engine.attributeSaleWithOutcome': { args: (f) => [sale(f)], foreign: isNull },
  'engine.attributeSignup': { args: (f) => [{ code: f.code, refereeRef: oid(), refereeModel: 'user' }], foreign: isNull },
  'engine.listLeadsForReferrer': {
    args: (f) => [f.ownerRef, {}],
    foreign: ({ value, error }) => {
      expect(error).toBeUndefined();
      expect(value).toEqual({ items: [], next: null });
    },
  },
  'stats.funnel': {
    args: (f) => [{ referrerRef: f.ownerRef, from: new Date(0), to: new Date(Date.now() + 60_000) }],
    foreign: ({ value, error }) => {
      expect(error).toBeUndefined();
      expect(value).toMatchObject({ visits: 0, leads: 0, convertedLeads: 0, sales: 0 });
    },
  },
  'stats.timeseries': {
    args: (f) => [{ referrerRef: f.ownerRef, from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 60_000) }],
    foreign: ({ value, error }) => {
      expect(error).toBeUndefined();
      const { buckets } = value as { buckets: { visits: number; leads: number; sales: number; amounts: unknown[] }[] };
      expect(buckets.length).toBeGreaterThanOrEqual(2);
      for (const bucket of buckets) expect(bucket).toMatchObject({ visits: 0, leads: 0, sales: 0, amounts: [] });
    },
  },
  'engine.trackVisit': { args: (f) => [{ code: f.code, visitorId: 'probe-visitor' }], foreign: isNull },
  'engine.syncIndexes': { unscoped: 'deploy-time index management across all tenants' },
  'engine.destroy': { unscoped: 'engine lifecycle, touches no tenant data' },
  'engine.close': { unscoped: 'the family name of destroy(): engine lifecycle, touches no tenant data' },
  'events.subscribe': { unscoped: 'transport subscription; events carry meta.organizationId' },
  'events.redeliver': { unscoped: 'system relay: publishes pending events of all tenants (or of ctx.organizationId), returns only counts' },
  'events.startRelay': { unscoped: 'system relay timer around redeliver' },
  'events.parked': { unscoped: 'like redeliver: all tenants without a ctx, else ctx.organizationId only (tests/integration/delivery.test.ts)' },
  'events.pending': { unscoped: 'like redeliver: all tenants without a ctx, else ctx.organizationId only (tests/integration/observability.test.ts)' },
  'events.requeue': { unscoped: 'like redeliver: all tenants without a ctx, else ctx.organizationId only (tests/integration/delivery.test.ts)' },
  'referralCode.generateCode': {
    args: (f) => [f.ownerRef, 'user'],
    foreign: ({ value, error }, f) => {
      expect(error).toBeUndefined();
      expect(value).toMatchObject({ organizationId: expect.anything() });
      const doc = value as { organizationId: unknown; code: string };
      expect(String(doc.organizationId)).toBe(String(f.otherTenant.organizationId));
      expect(doc.code).not.toBe(f.code);
    },
  },
  'referralCode.claimVanityCode': {
    args: (f) => [f.ownerRef, 'user', f.vanity],
    // Vanity names are unique per tenant: the other tenant gets its own, not a conflict with A's.
    foreign: ({ value, error }, f) => {
      expect(error).toBeUndefined();
      expect(String((value as { organizationId: unknown }).organizationId)).toBe(String(f.otherTenant.organizationId));
    },
  },
  'referralCode.setPolicy': { args: (f) => [f.code, { campaign: 'probe' }], foreign: notFound('code_not_found') },
  'referralCode.lookupByCode': { args: (f) => [f.code], foreign: isNull },
  'referralCode.findForOwner': { args: (f) => [f.ownerRef, 'user'], foreign: isNull },
  'referralCode.deactivate': { args: (f) => [f.code], foreign: notFound('code_not_found') },
  'referralCode.softDelete': { args: (f) => [f.code], foreign: notFound('code_not_found') },
  'referral.recordConversion': { args: (f) => [sale(f)], foreign: notFound('code_not_found') },
  'referral.findById': { args: (f) => [f.referralId], foreign: isNull },
  'referral.approve': { args: (f) => [f.referralId, { decidedBy: 'm' }], foreign: notFound('referral_not_found') },
  'referral.reject': { args: (f) => [f.referralId, { decidedBy: 'm', reason: 'probe' }], foreign: notFound('referral_not_found') },
  'referral.reverse': { args: (f) => [f.referralId, { reason: 'probe', refundKey: 're_probe' }], foreign: notFound('referral_not_found') },
  'referral.updateApprovals': { args: (f) => [f.referralId, { steps: [{ id: 's', approvers: ['m'] }] }], foreign: notFound('referral_not_found') },
  'stats.forReferrer': {
    args: (f) => [f.ownerRef],
    foreign: ({ value, error }) => {
      expect(error).toBeUndefined();
      expect(value).toMatchObject({ total: 0 });
    },
  },
  'stats.leaderboard': {
    args: () => [{ from: new Date(0), to: new Date(Date.now() + 60_000) }],
    foreign: ({ value, error }) => {
      expect(error).toBeUndefined();
      expect(value).toEqual([]);
    },
  },
  'referral.explain': {
    args: (f) => [f.refereeRef],
    foreign: ({ value, error }) => {
      expect(error).toBeUndefined();
      expect(value).toMatchObject({ binding: null, referrals: [], touches: [] });
    },
  },
  'referral.eraseReferee': {
    args: (f) => [f.refereeRef],
    foreign: ({ value, error }) => {
      expect(error).toBeUndefined();
      expect(value).toEqual({ erased: 0 });
    },
  },
  'referralCode.eraseOwner': {
    args: (f) => [f.ownerRef, 'user'],
    foreign: ({ value, error }) => {
      expect(error).toBeUndefined();
      expect(value).toEqual({ erased: 0 });
    },
  },
  'referral.listAwaitingReview': {
    args: () => [{}],
    foreign: ({ value, error }) => {
      expect(error).toBeUndefined();
      expect(value).toEqual({ items: [], next: null });
    },
  },
  'referral.settleHeld': {
    args: () => [{}],
    foreign: ({ value, error }) => {
      expect(error).toBeUndefined();
      expect(value).toEqual({ settled: 0 });
    },
  },
  'referrers.suspend': {
    args: (f) => [{ referrerRef: f.ownerRef, reason: 'probe' }],
    // A suspension is the other tenant's own standing: tenant A's referrer is not suspended by it.
    foreign: ({ value, error }, f) => {
      expect(error).toBeUndefined();
      expect(String((value as { organizationId: unknown }).organizationId)).toBe(String(f.otherTenant.organizationId));
    },
  },
  'referrers.resume': { args: (f) => [{ referrerRef: f.ownerRef }], foreign: isNull },
  'referral.listForReferrer': {
    args: (f) => [f.ownerRef, {}],
    foreign: ({ value, error }) => {
      expect(error).toBeUndefined();
      expect(value).toEqual({ items: [], next: null });
    },
  },
};

const outcomeOf = async (verb: Verb, args: unknown[]) => {
  try {
    return { value: await verb(...args) };
  } catch (error) {
    return { error };
  }
};

describe('tenant probe', () => {
  const prepare = async () => {
    const test = await createTestEngine(db.connection, { attribution: { leads: true } });
    const tenantA = newTenantContext();
    const ownerRef = oid().toHexString();
    const { code } = await test.engine.repositories.referralCode.generateCode(ownerRef, 'user', tenantA);
    const refereeRef = oid().toHexString();
    const referral = await test.engine.attributeSale({ code, refereeRef, refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, tenantA);
    await test.engine.repositories.referralCode.claimVanityCode(ownerRef, 'user', 'PROBE-VANITY', tenantA);
    const fixture: Fixture = { refereeRef, code, vanity: 'probe-vanity', ownerRef, referralId: String(referral?._id), otherTenant: newTenantContext() };
    const counts = async () => [await test.engine.models.ReferralCode.countDocuments({}), await test.engine.models.Referral.countDocuments({})];
    return { ...test, tenantA, fixture, counts };
  };

  it('has a probe for every public verb and no stale entries', async () => {
    const { engine } = await prepare();
    expect([...publicVerbs(engine).keys()].sort()).toEqual(Object.keys(probes).sort());
  });

  it('every scoped verb fails with tenant_required before any write when ctx.organizationId is missing', async () => {
    const { engine, fixture, counts, events } = await prepare();
    const before = await counts();
    const eventsBefore = events.length;
    for (const [name, verb] of publicVerbs(engine)) {
      const probe = probes[name];
      if (!probe || 'unscoped' in probe) continue;
      for (const ctx of [undefined, {}, { organizationId: '' }]) {
        const { error } = await outcomeOf(verb, [...probe.args(fixture), ctx]);
        expect(error, `${name} without a tenant`).toMatchObject({ code: 'tenant_required', status: 403 });
      }
    }
    expect(await counts()).toEqual(before);
    expect(events.length).toBe(eventsBefore);
  });

  it("every scoped verb finds nothing of another tenant's data", async () => {
    const { engine, fixture, tenantA } = await prepare();
    for (const [name, verb] of publicVerbs(engine)) {
      const probe = probes[name];
      if (!probe || 'unscoped' in probe) continue;
      // A fresh tenant per verb, so one verb's own writes in that tenant cannot mask another's.
      const probeFixture = { ...fixture, otherTenant: newTenantContext() };
      const outcome = await outcomeOf(verb, [...probe.args(probeFixture), probeFixture.otherTenant]);
      probe.foreign(outcome, probeFixture);
    }
    // Tenant A's records are untouched by everything tenant B did.
    expect(await engine.repositories.referralCode.lookupByCode(fixture.code, tenantA)).toMatchObject({ active: true });
    expect(await engine.repositories.referral.findById(fixture.referralId, tenantA)).toMatchObject({
      status: 'converted',
      version: 0,
      decisions: [],
      refereeRef: expect.anything(),
    });
    expect(String((await engine.repositories.referral.findById(fixture.referralId, tenantA))?.refereeRef)).toBe(fixture.refereeRef);
    // Suspended in other tenants, the owner still earns in tenant A.
    const sold = await engine.attributeSale({ code: fixture.code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, tenantA);
    expect(String(sold?.referrerRef)).toBe(fixture.ownerRef);
  });
});

describe('tenant scopes of several fields', () => {
  it('two scopes whose values join alike never share a cached code: each sale goes to its own tenant’s owner', async () => {
    const { engine } = await createTestEngine(db.connection, {
      tenant: {
        strategy: 'custom',
        fieldType: 'string',
        resolve: (ctx) => ({ organizationId: String(ctx.org), branch: String(ctx.branch) }),
      },
    });
    const first = { org: 'a', branch: 'b/c' } as never;
    const second = { org: 'a/b', branch: 'c' } as never;
    const [ownerOne, ownerTwo] = [oid(), oid()];
    await engine.repositories.referralCode.claimVanityCode(ownerOne, 'user', 'SHARED', first);
    await engine.repositories.referralCode.claimVanityCode(ownerTwo, 'user', 'SHARED', second);
    const sale = () => ({ code: 'SHARED', refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' });
    expect((await engine.attributeSale(sale(), first))?.referrerRef).toEqual(ownerOne);
    const inSecond = await engine.attributeSale(sale(), second);
    expect(inSecond?.referrerRef).toEqual(ownerTwo);
    expect(inSecond?.status).toBe('converted');
  });
});
