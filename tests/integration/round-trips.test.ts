import { describe, expect, it } from 'vitest';
import { type CreateReferralOptions, createReferral } from '../../src/index.js';
import { commandCounter } from '../harness/command-counter.js';
import { useTestDatabase } from '../harness/database.js';
import { newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();
let prefixes = 0;

/** Acks are pushed out of the measured window (long ackDelayMs) and counted separately. */
const measured = async (options: Partial<CreateReferralOptions> = {}) => {
  const connection = await db.openConnection({ monitorCommands: true });
  const engine = await createReferral({ connection, collectionPrefix: `rt${++prefixes}_`, events: { ackDelayMs: 60_000 }, ...options });
  await engine.syncIndexes();
  const counter = commandCounter(connection);
  const ctx = newTenantContext();
  const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
  // A buyer per order, so sending an order again is a true replay.
  const buyers = new Map<string, ReturnType<typeof oid>>();
  const buyerOf = (order: unknown) => buyers.get(String(order)) ?? (buyers.set(String(order), oid()).get(String(order)) as ReturnType<typeof oid>);
  const sale = (sourceRef = oid()) => ({ code, refereeRef: buyerOf(sourceRef), refereeModel: 'user', sourceRef, sourceModel: 'Order' });
  return { engine, counter, ctx, code, sale };
};

describe('round trips per operation', () => {
  it("attributeSale by default: new sale 3 (unconfirmed insert; the fence, one read of the code with its referrer's standing; confirming write), replay 1 once the code is cached; unknown code 1", async () => {
    const { engine, counter, ctx, sale } = await measured();
    expect((await counter.during(() => engine.attributeSale(sale(), ctx))).commands).toEqual(['find', 'findAndModify', 'aggregate', 'update']); // fills the cache
    const order = oid();
    expect((await counter.during(() => engine.attributeSale(sale(order), ctx))).commands).toEqual(['findAndModify', 'aggregate', 'update']);
    expect((await counter.during(() => engine.attributeSale(sale(order), ctx))).commands).toEqual(['findAndModify']);
    expect((await counter.during(() => engine.attributeSale({ ...sale(), code: 'NOSUCH22' }, ctx))).commands).toEqual(['find']);
    expect((await counter.during(() => engine.attributeSale({ ...sale(), code: 'NOSUCH22' }, ctx))).commands).toEqual(['find']); // unknown codes are never cached
    await engine.destroy();
  });

  it("a capped code: new sale 4 (unconfirmed insert, fence read, confirming write with its slot, the code's count), replay 1", async () => {
    const { engine, counter, ctx, sale } = await measured();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx, { maxConversions: 10 });
    await engine.attributeSale({ ...sale(), code }, ctx);
    const order = oid();
    expect((await counter.during(() => engine.attributeSale({ ...sale(order), code }, ctx))).commands).toEqual([
      'findAndModify',
      'aggregate',
      'update',
      'findAndModify',
    ]);
    expect((await counter.during(() => engine.attributeSale({ ...sale(order), code }, ctx))).commands).toEqual(['findAndModify']);
    await engine.destroy();
  });

  it('codes.cache false: new sale 4 (lookup, unconfirmed insert, fence read, confirming write), replay 2', async () => {
    const { engine, counter, ctx, sale } = await measured({ codes: { cache: false } });
    const order = oid();
    expect((await counter.during(() => engine.attributeSale(sale(order), ctx))).commands).toEqual(['find', 'findAndModify', 'aggregate', 'update']);
    expect((await counter.during(() => engine.attributeSale(sale(order), ctx))).commands).toEqual(['find', 'findAndModify']);
    await engine.destroy();
  });

  it("without the deactivation fence the code is not re-read (only the referrer's standing) and the cache is off unless asked for", async () => {
    const plain = await measured({ codes: { deactivationFence: false } });
    await plain.engine.attributeSale(plain.sale(), plain.ctx);
    expect((await plain.counter.during(() => plain.engine.attributeSale(plain.sale(), plain.ctx))).commands).toEqual([
      'find',
      'findAndModify',
      'find',
      'update',
    ]);
    await plain.engine.destroy();
    const cached = await measured({ codes: { deactivationFence: false, cache: { ttlMs: 60_000, max: 100 } } });
    await cached.engine.attributeSale(cached.sale(), cached.ctx);
    expect((await cached.counter.during(() => cached.engine.attributeSale(cached.sale(), cached.ctx))).commands).toEqual(['findAndModify', 'find', 'update']);
    await cached.engine.destroy();
  });

  it("with leads on: a new signup passes the fence as a sale does, a replay 2; a lead's first sale: lead read, unconfirmed insert, standing read, confirming write, conversion write; a direct first sale records its lead first", async () => {
    const { engine, counter, ctx, code } = await measured({ attribution: { leads: true } });
    const friend = oid();
    const signup = () => engine.attributeSignup({ code, refereeRef: friend, refereeModel: 'user' }, ctx);
    expect((await counter.during(signup)).commands).toEqual(['find', 'findAndModify', 'aggregate', 'update']);
    expect((await counter.during(signup)).commands).toEqual(['find', 'findAndModify']);
    const order = { refereeRef: friend, refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' };
    expect((await counter.during(() => engine.attributeSale(order, ctx))).commands).toEqual(['find', 'findAndModify', 'find', 'update', 'findAndModify']);
    expect((await counter.during(() => engine.attributeSale({ ...order, sourceRef: oid() }, ctx))).commands).toEqual([
      'find',
      'findAndModify',
      'find',
      'update',
    ]);
    const lead = ['findAndModify', 'aggregate', 'update'];
    const sale = ['findAndModify', 'aggregate', 'update'];
    expect((await counter.during(() => engine.attributeSale({ ...order, sourceRef: oid(), refereeRef: oid(), code }, ctx))).commands).toEqual([
      'find',
      'find',
      ...lead,
      ...sale,
      'findAndModify',
    ]);
    expect((await counter.during(() => engine.listLeadsForReferrer(oid(), {}, ctx))).commands).toEqual(['find']);
    // Visits; the rollups' watermark and the window's whole days; what changed since (sales, leads: nothing, so nothing is
    // written); the sales and leads of the part of today the window ends in.
    expect((await counter.during(() => engine.stats.funnel({ referrerRef: oid(), from: new Date(0), to: new Date() }, ctx))).commands).toEqual([
      'aggregate',
      'find',
      'find',
      'aggregate',
      'aggregate',
      'aggregate',
      'aggregate',
    ]);
    await engine.destroy();
  });

  it('resolveReferrer 1, generateCode 1 (first and repeat), approve 2, listForReferrer page 1', async () => {
    const { engine, counter, ctx, code, sale } = await measured();
    expect((await counter.during(() => engine.resolveReferrer(code, ctx))).commands).toEqual(['find']);
    const owner = oid();
    expect((await counter.during(() => engine.repositories.referralCode.generateCode(owner, 'user', ctx))).commands).toEqual(['findAndModify']);
    expect((await counter.during(() => engine.repositories.referralCode.generateCode(owner, 'user', ctx))).commands).toEqual(['findAndModify']);
    const r = await engine.attributeSale(sale(), ctx);
    expect((await counter.during(() => engine.repositories.referral.approve(String(r?._id), { decidedBy: 'm' }, ctx))).commands).toEqual([
      'find',
      'findAndModify',
    ]);
    expect((await counter.during(() => engine.repositories.referral.listForReferrer(r?.referrerRef as string, { limit: 10 }, ctx))).commands).toEqual(['find']);
    await engine.destroy();
  });

  it("once the connection is open, commands go to the driver's collection, not through mongoose's wrapper", async () => {
    const { engine, ctx, sale } = await measured();
    const wrapped: string[] = [];
    engine.models.Referral.db.set('debug', (collection: string, method: string) => wrapped.push(`${collection}.${method}`));
    await engine.attributeSale(sale(), ctx);
    await engine.repositories.referral.listForReferrer(oid(), {}, ctx);
    expect(wrapped).toEqual([]);
    await engine.models.Referral.collection.findOne({}); // the wrapper reports what does go through it
    expect(wrapped).toEqual([expect.stringContaining('findOne')]);
    await engine.destroy();
  });

  it("a new sale's upsert is a plain $setOnInsert, and the fence reads the code projected with its referrer's standing, small even while the code's own event is pending", async () => {
    const { engine, counter, ctx, sale } = await measured({ events: { ackDelayMs: 60_000 } });
    await engine.attributeSale(sale(), ctx); // the code's referral:code.created is still pending on it
    const from = counter.sent.length;
    const fromReplies = counter.received.length;
    await engine.attributeSale(sale(), ctx);
    const commands = counter.sent.slice(from);
    expect(commands.map((c) => c.name)).toEqual(['findAndModify', 'aggregate', 'update']);
    expect(commands.some((c) => c.pipeline)).toBe(false);
    // Replies in order: the upsert's (nothing back for an insert), the fence's read, the deciding write.
    const replies = counter.received.slice(fromReplies);
    expect(Math.max(...replies)).toBeLessThan(200);
    await engine.destroy();
  });

  it('acknowledgements are batched: one bulk write for many published events', async () => {
    const { engine, counter, ctx, sale } = await measured();
    await Promise.all(Array.from({ length: 20 }, () => engine.attributeSale(sale(), ctx)));
    const { commands } = await counter.during(() => engine.destroy()); // destroy() flushes the buffered acks
    expect(commands).toEqual(['update', 'update']); // one bulk write per collection
    expect(await engine.models.Referral.collection.countDocuments({ pendingEventsAt: { $exists: true } })).toBe(0);
  });

  it('an acknowledgement batch is one plain update statement, whatever its size, when the outboxes held only acknowledged events', async () => {
    const { engine, counter, ctx, sale } = await measured();
    await Promise.all(Array.from({ length: 7 }, () => engine.attributeSale(sale(), ctx)));
    await engine.destroy();
    const statements = counter.sent.filter((command) => command.acknowledgements > 0).map((command) => command.statements);
    expect(statements.sort()).toEqual([1, 1]); // the code document, then the seven referrals in one statement
    expect(counter.sent.filter((command) => command.name === 'update' && command.pipeline)).toEqual([]);
    expect(await engine.models.Referral.collection.countDocuments({ pendingEventsAt: { $exists: true } })).toBe(0);
    expect(await engine.models.Referral.collection.countDocuments({ outbox: { $exists: true } })).toBe(0);
  });

  it('a document holding more events than were acknowledged keeps the rest: a second bulk write, with the pipeline', async () => {
    const { engine, counter, ctx, sale } = await measured();
    const approved = await engine.attributeSale(sale(), ctx);
    await Promise.all(Array.from({ length: 3 }, () => engine.attributeSale(sale(), ctx)));
    // Its converted event is still unacknowledged (ackDelayMs is long); approving pushes a second.
    await engine.repositories.referral.approve(String(approved?._id), { decidedBy: 'm' }, ctx);
    await engine.destroy();
    const statements = counter.sent.filter((command) => command.acknowledgements > 0).map((command) => command.statements);
    expect(statements.sort()).toEqual([1, 1, 4]); // code; the referrals with one event, in one statement; then the pipeline for any left
    expect(await engine.models.Referral.collection.countDocuments({ pendingEventsAt: { $exists: true } })).toBe(0);
    expect(await engine.models.Referral.collection.countDocuments({ 'outbox.0': { $exists: true } })).toBe(0);
  });
});

/** Two engines on one set of collections, as two processes of one deployment; `buy` sells through A. */
const twoProcesses = async () => {
  const prefix = `cachex${++prefixes}_`;
  const processA = await createReferral({ connection: await db.openConnection(), collectionPrefix: prefix });
  const processB = await createReferral({ connection: await db.openConnection(), collectionPrefix: prefix });
  await processA.syncIndexes();
  const ctx = newTenantContext();
  const buy = (code: string) => processA.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);
  return { processA, processB, ctx, buy };
};

describe('code cache', () => {
  it('is invalidated in-process by deactivate()', async () => {
    const { engine, ctx, code, sale } = await measured({ codes: { cache: { ttlMs: 60_000, max: 10 } } });
    expect(await engine.attributeSale(sale(), ctx)).not.toBeNull();
    await engine.repositories.referralCode.deactivate(code, ctx);
    expect(await engine.resolveReferrer(code, ctx)).toBeNull();
    expect(await engine.attributeSale(sale(), ctx)).toBeNull();
    await engine.destroy();
  });

  it("another process's cache keeps a deactivated code, but the fence refuses its sale; verbs without a fence never read the cache", async () => {
    const { processA, processB, ctx, buy } = await twoProcesses();
    const { code } = await processB.repositories.referralCode.generateCode(oid(), 'user', ctx);
    expect(await buy(code)).not.toBeNull(); // A caches the code
    await processB.repositories.referralCode.deactivate(code, ctx);
    expect(await processA.resolveReferrer(code, ctx)).toBeNull();
    expect(await processA.trackVisit({ code, visitorId: 'v1' }, ctx)).toBeNull();
    expect(await buy(code)).toBeNull();
    expect(await processA.models.Referral.countDocuments({ deletedAt: null })).toBe(1);
    expect(await processA.models.Referral.countDocuments({ voidedReason: 'code_deactivated' })).toBe(1);
    await processA.destroy();
    await processB.destroy();
  });

  it('an owner erased in another process: the sale through the cached code is voided and keeps only the stand-in', async () => {
    const { processA, processB, ctx, buy } = await twoProcesses();
    const owner = oid();
    const { code } = await processB.repositories.referralCode.generateCode(owner, 'user', ctx);
    const before = await buy(code); // A caches the code with the real owner
    await processB.repositories.referralCode.eraseOwner(owner, 'user', ctx);
    expect(await buy(code)).toBeNull();
    const raw = await processA.models.Referral.collection.find({}).toArray();
    expect(raw).toHaveLength(2);
    expect(JSON.stringify(raw)).not.toContain(owner.toHexString());
    expect(raw.find((r) => String(r._id) !== String(before?._id))).toMatchObject({
      voidedReason: 'code_deactivated',
      referrerRef: expect.stringMatching(/^erased:/),
    });
    await processA.destroy();
    await processB.destroy();
  });

  it('a policy changed in another process binds a cached code at once: a new cap, a lower cap, an earlier expiry', async () => {
    const { processA, processB, ctx, buy } = await twoProcesses();
    const uncapped = (await processB.repositories.referralCode.generateCode(oid(), 'user', ctx)).code;
    expect(await buy(uncapped)).not.toBeNull(); // cached as uncapped
    await processB.repositories.referralCode.setPolicy(uncapped, { maxConversions: 2 }, ctx);
    expect(await buy(uncapped)).not.toBeNull();
    expect(await buy(uncapped)).not.toBeNull();
    expect(await buy(uncapped)).toBeNull(); // the new cap holds although A cached the code without one
    const capped = (await processB.repositories.referralCode.generateCode(oid(), 'user', ctx, { maxConversions: 5 })).code;
    expect(await buy(capped)).not.toBeNull(); // cached with a cap of 5
    await processB.repositories.referralCode.setPolicy(capped, { maxConversions: 1 }, ctx);
    expect(await buy(capped)).toBeNull(); // the stored cap, not the cached one, decides
    const dated = (await processB.repositories.referralCode.generateCode(oid(), 'user', ctx, { expiresAt: new Date(Date.now() + 86_400_000) })).code;
    expect(await buy(dated)).not.toBeNull();
    await processB.repositories.referralCode.setPolicy(dated, { expiresAt: new Date(Date.now() - 1_000) }, ctx);
    expect(await buy(dated)).toBeNull();
    expect(await processA.models.Referral.countDocuments({ voidedReason: 'code_expired' })).toBe(1);
    expect(await processA.models.Referral.countDocuments({ voidedReason: 'code_limit_reached' })).toBe(2);
    await processA.destroy();
    await processB.destroy();
  });

  it('refuses unusable cache options', async () => {
    await expect(createReferral({ connection: db.connection, collectionPrefix: 'badcache_', codes: { cache: { ttlMs: 0, max: 10 } } })).rejects.toMatchObject({
      code: 'validation_failed',
      status: 422,
      field: 'codes.cache.ttlMs',
    });
  });
});
