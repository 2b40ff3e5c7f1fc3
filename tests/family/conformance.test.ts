import mongoose, { type Connection } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { type DomainEvent, defineReferral, type EventTransport, type ReferralEngine } from '../../src/index.js';
import { useTestDatabase } from '../harness/database.js';

/**
 * The checks of @classytic/mongokit's kernel conformance suite (src/kernel-conformance/types.ts
 * lists them; suite.ts states each rule), written here from those rules. One check contradicts
 * the seed and is not run: `no-legacy-surface` forbids `createReferral` and `destroy()`, which
 * the seed's API keeps beside `defineReferral` and `close()`.
 */
const db = useTestDatabase();
let prefixes = 0;
/** The full blueprint: every optional module (leads) on. */
const blueprint = (prefix = `kc${++prefixes}_`) => defineReferral({ collectionPrefix: prefix, attribution: { leads: true } });

/** A transport that records what it delivers and whether it was closed. */
const instrumentedTransport = () => {
  const handlers = new Set<(event: DomainEvent) => unknown>();
  let closes = 0;
  const transport: EventTransport = {
    name: 'supplied',
    publish: async (event) => {
      for (const handler of handlers) await handler(event);
    },
    subscribe: async (_pattern, handler) => {
      handlers.add(handler as (event: DomainEvent) => unknown);
      return () => void handlers.delete(handler as (event: DomainEvent) => unknown);
    },
    close: async () => {
      closes++;
      handlers.clear();
    },
  };
  return { transport, closes: () => closes };
};

const probeEvent = (): DomainEvent => ({ type: 'conformance.probe', payload: {}, meta: { id: `p${Math.random()}`, timestamp: new Date() } });

const registryOnly = (): Connection => mongoose.createConnection();

describe('kernel conformance (mongokit rules)', () => {
  it('describe-purity: defineReferral registers no model, touches no registry, and is deterministic', () => {
    const connection = registryOnly();
    const globalBefore = Object.keys(mongoose.models).sort();
    const modelCalls: string[] = [];
    const realModel = connection.model.bind(connection);
    (connection as unknown as { model: unknown }).model = (...args: unknown[]) => {
      modelCalls.push(String(args[0]));
      return (realModel as (...a: unknown[]) => unknown)(...args);
    };
    const first = defineReferral({ collectionPrefix: 'pure_' });
    const second = defineReferral({ collectionPrefix: 'pure_' });
    expect(modelCalls).toEqual([]);
    expect(Object.keys(mongoose.models).sort()).toEqual(globalBefore);
    expect(Object.keys(connection.models)).toEqual([]);
    expect([...second.modelNames].sort()).toEqual([...first.modelNames].sort());
    expect(Object.isFrozen(first.modelNames)).toBe(true);
    expect(first.modelNames.length).toBeGreaterThan(0);
  });

  it('bind-registers-declared-models and bind-connection-scoped: exactly the declared models, on that connection only', () => {
    const connection = registryOnly();
    const globalBefore = Object.keys(mongoose.models).sort();
    const bp = blueprint();
    bp.bind(connection);
    expect(Object.keys(connection.models).sort()).toEqual([...bp.modelNames].sort());
    expect(Object.keys(mongoose.models).sort()).toEqual(globalBefore);
  });

  it('bind-no-index-io and no-autoindex-on-bind: bind creates, syncs or drops no index', async () => {
    const ModelBase = mongoose.Model as unknown as Record<string, unknown>;
    const ops = ['syncIndexes', 'createIndexes', 'ensureIndexes', 'dropIndexes', 'cleanIndexes'] as const;
    const originals = new Map(ops.map((op) => [op, ModelBase[op]]));
    const calls: string[] = [];
    for (const op of ops) ModelBase[op] = () => Promise.resolve(void calls.push(op));
    try {
      const bp = blueprint();
      const engine = bp.bind(db.connection);
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(calls).toEqual([]);
      for (const name of bp.modelNames) expect(db.connection.models[name]?.schema.options.autoIndex).toBe(false);
      await engine.close();
    } finally {
      for (const [op, fn] of originals) ModelBase[op] = fn;
    }
  });

  it('fresh-schema-per-connection: one blueprint on two connections gives distinct models and schemas', () => {
    const bp = blueprint();
    const a = registryOnly();
    const b = registryOnly();
    bp.bind(a);
    bp.bind(b);
    for (const name of bp.modelNames) {
      expect(a.models[name]).toBeDefined();
      expect(a.models[name]).not.toBe(b.models[name]);
      expect(a.models[name]?.schema).not.toBe(b.models[name]?.schema);
    }
  });

  it('double-bind-collision: a second bind on one connection throws ModelCollisionError naming a declared model', () => {
    const connection = registryOnly();
    const bp = blueprint();
    bp.bind(connection);
    let error: unknown;
    try {
      bp.bind(connection);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ name: 'ModelCollisionError', code: 'engine_conflict', status: 409 });
    expect(bp.modelNames).toContain((error as { modelName: string }).modelName);
  });

  it('transport-not-closed-when-supplied: close() leaves a host transport working', async () => {
    const supplied = instrumentedTransport();
    const engine = blueprint().bind(registryOnly(), { eventTransport: supplied.transport });
    await engine.close();
    expect(supplied.closes()).toBe(0);
    let delivered = 0;
    await supplied.transport.subscribe?.('*', () => void delivered++);
    await supplied.transport.publish(probeEvent());
    expect(delivered).toBe(1);
  });

  it('owned-transport-closed: close() closes the bus the engine created', async () => {
    const engine: ReferralEngine = blueprint().bind(registryOnly());
    const bus = engine.events.transport;
    let delivered = 0;
    await bus.subscribe?.('*', () => void delivered++);
    await bus.publish(probeEvent());
    expect(delivered).toBe(1);
    await engine.close();
    await bus.publish(probeEvent());
    expect(delivered).toBe(1);
  });

  it('close-idempotent: close() twice does not throw; destroy() is the same teardown', async () => {
    const engine = blueprint().bind(registryOnly());
    await engine.close();
    await expect(engine.close()).resolves.toBeUndefined();
    await expect(engine.destroy()).resolves.toBeUndefined();
  });

  it('maintenance-fails-loud: syncIndexes() rejects when a model index build fails', async () => {
    const bp = blueprint();
    const engine = bp.bind(db.connection);
    const sentinel = new Error('induced index-sync failure');
    for (const name of bp.modelNames) {
      const model = db.connection.models[name] as unknown as Record<string, unknown>;
      for (const op of ['syncIndexes', 'createIndexes', 'ensureIndexes', 'dropIndexes', 'cleanIndexes']) model[op] = () => Promise.reject(sentinel);
    }
    await expect(engine.syncIndexes()).rejects.toBe(sentinel);
    await engine.close();
  });

  it('outbox-requires-transactional-save: an outbox without transactionalSave is refused at bind, naming it, before any model registers', () => {
    const connection = registryOnly();
    for (const outbox of [
      { save: async () => undefined, getPending: async () => [], acknowledge: async () => undefined },
      { transactionalSave: false, save: async () => undefined, getPending: async () => [], acknowledge: async () => undefined },
    ]) {
      expect(() => blueprint().bind(connection, { outbox })).toThrow(/transactionalSave/);
    }
    expect(Object.keys(connection.models)).toEqual([]);
    expect(() =>
      blueprint().bind(connection, {
        outbox: { transactionalSave: true, save: async () => undefined, getPending: async () => [], acknowledge: async () => undefined },
      }),
    ).not.toThrow();
  });

  it('optional-modules-register-no-models: with leads off, bind registers no lead model and syncIndexes builds no lead index, yet every verb still runs', async () => {
    const prefix = `kc${++prefixes}_`;
    const unprefixed = (names: readonly string[]) => names.map((name) => name.slice(prefix.length)).sort();
    const full = blueprint(prefix);
    const minimal = defineReferral({ collectionPrefix: prefix });
    expect(unprefixed(full.modelNames).filter((name) => !unprefixed(minimal.modelNames).includes(name))).toEqual(['ReferralLead']);
    expect(unprefixed(minimal.modelNames).every((name) => unprefixed(full.modelNames).includes(name))).toBe(true);
    const connection = registryOnly();
    minimal.bind(connection);
    expect(Object.keys(connection.models).sort()).toEqual([...minimal.modelNames].sort());

    const engine = minimal.bind(db.connection);
    try {
      expect(engine.models.ReferralLead).toBeUndefined();
      await engine.syncIndexes();
      const ctx = { organizationId: new mongoose.Types.ObjectId().toHexString() };
      const owner = new mongoose.Types.ObjectId();
      const { code } = await engine.repositories.referralCode.generateCode(owner, 'user', ctx);
      await engine.attributeSale({ code, refereeRef: 'friend-1', refereeModel: 'user', sourceRef: 'o1', sourceModel: 'Order' }, ctx);
      const window = { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 60_000) };
      expect(await engine.stats.funnel({ referrerRef: owner, ...window }, ctx)).toMatchObject({ leads: 0, sales: 1 });
      await engine.events.redeliver(ctx);
      expect(await engine.repositories.referralCode.eraseOwner(owner, 'user', ctx)).toEqual({ erased: 1 });
      const indexNames = async (collection: string) =>
        (
          await db.connection
            .collection(collection)
            .listIndexes()
            .toArray()
            .catch(() => [])
        )
          .map((index) => String(index.name))
          .sort();
      expect(await indexNames(`${prefix}referrals`)).toContain('rf_referral_source_unique');
      expect(await indexNames(`${prefix}referral_leads`)).toEqual(expect.not.arrayContaining([expect.stringMatching(/^rf_/)]));
    } finally {
      await engine.close();
    }
  });
});
