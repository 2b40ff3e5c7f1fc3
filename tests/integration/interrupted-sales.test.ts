import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createReferral, type DomainEvent, type EventTransport, isDatabaseUnavailable, type ReferralEngine } from '../../src/index.js';
import { useTestDatabase } from '../harness/database.js';
import { newTenantContext, oid } from '../harness/engine.js';
import { startFaultProxyFor, type WireCommand } from '../harness/fault-proxy.js';

const db = useTestDatabase();
let proxy: Awaited<ReturnType<typeof startFaultProxyFor>>;
let prefixes = 0;

beforeAll(async () => {
  proxy = await startFaultProxyFor(inject('mongoUri'));
});
afterAll(async () => proxy.close());

/** A promise the test opens when it chooses (Promise.withResolvers needs Node 22): the proxy holds a reply until then. */
const gate = () => {
  let release = () => {};
  const stalled = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { stalled, release };
};

/** Two processes of one deployment: one talks to MongoDB through the cutting proxy, one directly; every event either delivers is recorded. */
const deployment = async (options: { maxConversions?: number; timeoutMS?: number } = {}) => {
  const prefix = `cut${++prefixes}_`;
  const delivered: DomainEvent[] = [];
  const transport: EventTransport = { name: 'recording', publish: async (event) => void delivered.push(event) };
  const cutConnection = await mongoose
    .createConnection(proxy.uri, { dbName: db.connection.name, autoIndex: false, autoCreate: false, serverSelectionTimeoutMS: 2_000 })
    .asPromise();
  const cut = await createReferral({
    connection: cutConnection,
    collectionPrefix: prefix,
    events: { transport },
    ...(options.timeoutMS ? { timeoutMS: options.timeoutMS } : {}),
  });
  const clean = await createReferral({ connection: await db.openConnection(), collectionPrefix: prefix, events: { transport } });
  await clean.syncIndexes();
  const ctx = newTenantContext();
  const { code } = await clean.repositories.referralCode.generateCode(
    oid(),
    'user',
    ctx,
    options.maxConversions ? { maxConversions: options.maxConversions } : {},
  );
  const sale = (sourceRef = oid()) => ({ code, refereeRef: oid(), refereeModel: 'user', sourceRef, sourceModel: 'Order' });
  const on = (name: string, collection: string) => (command: WireCommand) => command.name === name && command.collection === `${prefix}${collection}`;
  const liveFor = (engine: ReferralEngine, sourceRef: unknown) => engine.models.Referral.collection.countDocuments({ sourceRef, deletedAt: null });
  const convertedFor = (sourceRef: unknown) =>
    delivered.filter((event) => event.type === 'referral:converted' && (event.payload as { sourceRef: string }).sourceRef === String(sourceRef));
  const destroy = async () => {
    await cut.destroy();
    await clean.destroy();
    await cutConnection.close();
  };
  return { cut, clean, ctx, code, sale, on, liveFor, convertedFor, delivered, destroy };
};

/** The call failed with a connection fault, as a caller whose connection was cut sees it. */
const expectCut = async (call: Promise<unknown>) => {
  const error = await call.then(
    () => null,
    (failure: unknown) => failure,
  );
  expect(isDatabaseUnavailable(error), String(error)).toBe(true);
};

describe('a new sale cut off mid-call', () => {
  it('cap 1: a sale whose insert reply was lost (twice) never stands; the next sale takes the slot; the retry is refused; no event for it', async () => {
    const { cut, clean, ctx, sale, on, liveFor, convertedFor, destroy } = await deployment({ maxConversions: 1 });
    const lost = sale();
    proxy.cutReply(on('findAndModify', 'referrals'), 2);
    await expectCut(cut.attributeSale(lost, ctx));
    const other = sale();
    expect((await clean.attributeSale(other, ctx))?.status).toBe('converted');
    expect(await clean.attributeSale(lost, ctx)).toBeNull(); // the host's retry: the code is full
    await clean.events.redeliver(ctx);
    expect(await liveFor(clean, lost.sourceRef)).toBe(0);
    expect(await liveFor(clean, other.sourceRef)).toBe(1);
    expect(convertedFor(lost.sourceRef)).toHaveLength(0);
    expect(convertedFor(other.sourceRef)).toHaveLength(1);
    await destroy();
  });

  it('a sale through a code deactivated in another process, its fence read cut twice, never stands and publishes nothing', async () => {
    const { cut, clean, ctx, code, sale, on, liveFor, convertedFor, destroy } = await deployment();
    await cut.attributeSale(sale(), ctx); // this process now has the code cached
    await clean.repositories.referralCode.deactivate(code, ctx);
    const late = sale();
    proxy.cutReply(on('aggregate', 'referral_codes'), 2);
    await expectCut(cut.attributeSale(late, ctx));
    await clean.events.redeliver(ctx);
    expect(await liveFor(clean, late.sourceRef)).toBe(0);
    expect(convertedFor(late.sourceRef)).toHaveLength(0);
    expect(await clean.models.Referral.collection.countDocuments({ sourceRef: late.sourceRef, unconfirmedAt: { $exists: true } })).toBe(0); // the relay voided it
    await destroy();
  });

  it('a refused sale whose void was cut twice is not told ok, and its retry is refused too', async () => {
    const { cut, clean, ctx, sale, on, liveFor, convertedFor, destroy } = await deployment({ maxConversions: 1 });
    await clean.attributeSale(sale(), ctx); // the code is full
    const refused = sale();
    // Only the write that voids the refused sale (it matches the undecided record), not an acknowledgement batch.
    const voiding = (command: WireCommand) =>
      on('update', 'referrals')(command) &&
      (command.body.updates ?? command.sequences.updates ?? []).some((statement: { q: object }) => 'unconfirmedAt' in statement.q);
    proxy.cutReply(voiding, 2);
    await expectCut(cut.attributeSale(refused, ctx));
    expect(await clean.attributeSale(refused, ctx)).toBeNull();
    await clean.events.redeliver(ctx);
    expect(await liveFor(clean, refused.sourceRef)).toBe(0);
    expect(convertedFor(refused.sourceRef)).toHaveLength(0);
    await destroy();
  });

  it('a server that stalls on a sale: with timeoutMS the call gives up in time with call_timeout, and a retry is answered consistently once it answers', async () => {
    const { cut, clean, ctx, sale, on, liveFor, convertedFor, destroy } = await deployment({ timeoutMS: 300 });
    const { stalled, release } = gate();
    let released = false;
    const stalledSale = sale();
    proxy.stallReply(on('findAndModify', 'referrals'), stalled);
    const failure = await cut.attributeSale(stalledSale, ctx).catch((error: unknown) => error);
    expect(released).toBe(false); // the call answered while the server still held its insert
    expect(failure).toMatchObject({ code: 'call_timeout', status: 504 });
    released = true;
    release();
    const retried = await clean.attributeSale(stalledSale, ctx);
    expect(retried?.status).toBe('converted');
    // The timed-out call goes on in the background (a deadline bounds the wait, not the work): let it settle.
    const undecided = () => clean.models.Referral.collection.countDocuments({ sourceRef: stalledSale.sourceRef, unconfirmedAt: { $exists: true } });
    await expect.poll(undecided, { timeout: 5_000 }).toBe(0);
    await clean.events.redeliver(ctx);
    expect(await liveFor(clean, stalledSale.sourceRef)).toBe(1);
    expect(String((await clean.attributeSale(stalledSale, ctx))?._id)).toBe(String(retried?._id));
    expect([...new Set(convertedFor(stalledSale.sourceRef).map((event) => event.meta.idempotencyKey))]).toEqual([`referral:${retried?._id}:converted`]);
    await destroy();
  });

  it('refuses a timeoutMS that is not a positive whole number of milliseconds', async () => {
    for (const timeoutMS of [0, -1, 1.5, '300' as never]) {
      await expect(createReferral({ connection: db.connection, timeoutMS })).rejects.toMatchObject({ code: 'validation_failed', field: 'timeoutMS' });
    }
  });

  it('a relay pass while a sale on a full code is still deciding publishes nothing for it, and the sale then answers null', async () => {
    const { cut, clean, ctx, sale, on, liveFor, convertedFor, destroy } = await deployment({ maxConversions: 2 });
    await cut.attributeSale(sale(), ctx); // this process has the code cached
    await clean.attributeSale(sale(), ctx); // the code is full
    const { stalled, release } = gate();
    const late = sale();
    proxy.stallReply(on('aggregate', 'referral_codes'), stalled); // its decision (the stored code) is held
    const answer = cut.attributeSale(late, ctx);
    await expect.poll(() => clean.models.Referral.collection.countDocuments({ sourceRef: late.sourceRef }), { timeout: 5_000 }).toBe(1);
    await clean.events.redeliver(ctx); // olderThanMs 0: the undecided sale is voided as abandoned, nothing is published for it
    expect(convertedFor(late.sourceRef)).toHaveLength(0);
    release();
    expect(await answer).toBeNull();
    await clean.events.redeliver(ctx);
    expect(await liveFor(clean, late.sourceRef)).toBe(0);
    expect(convertedFor(late.sourceRef)).toHaveLength(0);
    await destroy();
  });
});

describe('two concurrent sends of one sale (a webhook and a checkout)', () => {
  it('on a code with one slot left, 20 pairs each answer the same standing record; on the full code, both answer null', async () => {
    const { clean, ctx, sale, liveFor, destroy } = await deployment({ maxConversions: 20 });
    for (let pair = 0; pair < 20; pair++) {
      const order = sale();
      const [first, second] = await Promise.all([clean.attributeSale(order, ctx), clean.attributeSale(order, ctx)]);
      expect(String(first?._id)).toBe(String(second?._id));
      expect(await liveFor(clean, order.sourceRef)).toBe(1);
    }
    const order = sale();
    expect(await Promise.all([clean.attributeSale(order, ctx), clean.attributeSale(order, ctx)])).toEqual([null, null]);
    expect(await clean.models.Referral.collection.countDocuments({ code: order.code, deletedAt: null })).toBe(20);
    await destroy();
  });
});

describe('erasure while a sale is being decided', () => {
  it('the sale’s held events are scrubbed too: nothing delivered or stored names the erased referee', async () => {
    const prefix = `cut${++prefixes}_`;
    const delivered: DomainEvent[] = [];
    const transport: EventTransport = { name: 'recording', publish: async (event) => void delivered.push(event) };
    const flagAll = () => ({ outcome: 'flag' as const, rule: 'test.flag' });
    const cutConnection = await mongoose.createConnection(proxy.uri, { dbName: db.connection.name, autoIndex: false, autoCreate: false }).asPromise();
    const cut = await createReferral({ connection: cutConnection, collectionPrefix: prefix, guards: [flagAll], events: { transport } });
    const clean = await createReferral({ connection: await db.openConnection(), collectionPrefix: prefix, guards: [flagAll], events: { transport } });
    await clean.syncIndexes();
    const ctx = newTenantContext();
    const { code } = await clean.repositories.referralCode.generateCode(oid(), 'user', ctx);
    await cut.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx); // cached
    const buyer = oid();
    const { stalled, release } = gate();
    proxy.stallReply((command) => command.name === 'aggregate' && command.collection === `${prefix}referral_codes`, stalled);
    const sold = cut.attributeSale({ code, refereeRef: buyer, refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);
    await expect.poll(() => clean.models.Referral.collection.countDocuments({ refereeRef: buyer }), { timeout: 5_000 }).toBe(1);
    await clean.repositories.referral.eraseReferee(buyer, ctx);
    release();
    expect((await sold)?.status).toBe('converted');
    await clean.events.redeliver(ctx);
    const raw = JSON.stringify(await clean.models.Referral.collection.find({}).toArray());
    expect(raw).not.toContain(buyer.toHexString());
    expect(JSON.stringify(delivered)).not.toContain(buyer.toHexString());
    expect(delivered.filter((event) => event.type === 'referral:flagged').length).toBeGreaterThanOrEqual(2);
    await cut.destroy();
    await clean.destroy();
    await cutConnection.close();
  });
});
