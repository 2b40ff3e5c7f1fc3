import { mongo, Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { createReferral, isDatabaseUnavailable } from '../../src/index.js';
import { AckBuffer } from '../../src/store/outbox/ack-buffer.js';
import { isAcknowledgement } from '../harness/command-counter.js';
import { useTestDatabase } from '../harness/database.js';
import { newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();
let prefixes = 0;

/** An engine whose connection reports, per collection, how many ack updates are in flight at most. */
const watched = async (ackDelayMs: number) => {
  const connection = await db.openConnection({ monitorCommands: true });
  const prefix = `ackb${++prefixes}_`;
  const engine = await createReferral({ connection, collectionPrefix: prefix, events: { ackDelayMs } });
  await engine.syncIndexes();
  const inFlight = new Set<number>();
  // behind: an ack write that left out a sale finished before the previous ack write landed.
  const seen = { maxInFlight: 0, updates: 0, statements: 0, covered: 0, salesDone: 0, doneWhenLastLanded: 0, behind: 0 };
  const client = connection.getClient();
  client.on('commandStarted', (event) => {
    if (event.commandName !== 'update' || event.command.update !== `${prefix}referrals`) return;
    if (!(event.command.updates as { q?: Record<string, unknown> }[]).some(isAcknowledgement)) return; // a sale's confirming write
    inFlight.add(event.requestId);
    seen.updates++;
    const statements = event.command.updates as { q: { _id?: { $in?: unknown[] } } }[];
    seen.statements += statements.length;
    // The referrals a write acknowledges: its statement's `_id: { $in }`, or one per statement.
    seen.covered += statements.reduce((n, statement) => n + (statement.q._id?.$in?.length ?? 1), 0);
    seen.maxInFlight = Math.max(seen.maxInFlight, inFlight.size);
    if (seen.covered < seen.doneWhenLastLanded) seen.behind++;
  });
  const done = (event: { requestId: number }) => {
    if (inFlight.delete(event.requestId)) seen.doneWhenLastLanded = seen.salesDone;
  };
  client.on('commandSucceeded', done);
  client.on('commandFailed', done);
  const ctx = newTenantContext();
  const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
  const sell = async () => {
    await engine.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);
    seen.salesDone++;
  };
  return { engine, seen, sell };
};

describe('acknowledgement batching under load', () => {
  it('one acknowledgement write at a time, and each takes every ack buffered meanwhile (no queue of small writes falling behind)', async () => {
    const { engine, seen, sell } = await watched(1);
    // 16 callers for 400 sales: with a 1 ms delay the acks arrive faster than one write at a time lands.
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next++ < 400) await sell();
      }),
    );
    await engine.destroy();
    expect(seen.maxInFlight).toBe(1);
    expect(seen.behind).toBe(0);
    // One plain statement per write, whatever it carries: 16 callers put at most a quarter statement on each sale.
    expect(seen.covered).toBe(400); // every referral acknowledged once
    expect(seen.statements).toBe(seen.updates);
    expect(seen.statements / 400).toBeLessThanOrEqual(0.25);
    expect(await engine.models.Referral.collection.countDocuments({ pendingEventsAt: { $exists: true } })).toBe(0);
  });

  it('destroy() waits for the acknowledgements of every published event, including those buffered while a write was under way', async () => {
    const { engine, sell } = await watched(60_000);
    await Promise.all(Array.from({ length: 30 }, () => sell()));
    await engine.destroy();
    expect(await engine.models.Referral.collection.countDocuments({})).toBe(30);
    expect(await engine.models.Referral.collection.countDocuments({ pendingEventsAt: { $exists: true } })).toBe(0);
  });
});

describe('AckBuffer on a real collection', () => {
  it('the same event acknowledged twice, for the same document as two ObjectId instances, is one statement that keeps the other event', async () => {
    const client = (await db.openConnection({ monitorCommands: true })).getClient();
    const statements: { u: unknown }[] = [];
    client.on('commandStarted', (event) => {
      if (event.commandName === 'update') statements.push(...(event.command.updates as { u: unknown }[]));
    });
    const collection = client.db().collection(`ackb${++prefixes}_docs`);
    const documentId = new Types.ObjectId();
    const errors: unknown[] = [];
    await collection.insertOne({
      _id: documentId,
      outbox: [
        { type: 'a', meta: { id: 'A' } },
        { type: 'b', meta: { id: 'B' } },
      ],
      pendingEventsAt: new Date(),
      deliveryFailures: { A: 2 },
    });
    const buffer = new AckBuffer(60_000, (error) => errors.push(error));
    buffer.add({ collection, documentId, tenant: {} }, 'A');
    buffer.add({ collection, documentId: new Types.ObjectId(documentId.toHexString()), tenant: {} }, 'A');
    await buffer.flush();
    expect(errors).toEqual([]);
    // One statement per write: the plain one (no match: two events), then the pipeline, naming A once.
    expect(statements).toHaveLength(2);
    expect((statements[1]?.u as Record<string, unknown>[] | undefined)?.at(-1)).toEqual({ $unset: ['deliveryFailures.A'] });
    const stored = await collection.findOne({ _id: documentId });
    expect(stored?.outbox).toEqual([{ type: 'b', meta: { id: 'B' } }]);
    expect(stored?.pendingEventsAt).toBeInstanceOf(Date);
    expect(stored?.deliveryFailures).toEqual({});
  });

  it('flush() with nothing buffered resolves at once, and after a write it waits only for acks added before it', async () => {
    const collection = db.connection.getClient().db().collection(`ackb${++prefixes}_docs`);
    const buffer = new AckBuffer(60_000, () => {});
    await buffer.flush();
    const ids = [new Types.ObjectId(), new Types.ObjectId()];
    await collection.insertMany(ids.map((_id, i) => ({ _id, outbox: [{ type: 'a', meta: { id: `E${i}` } }], pendingEventsAt: new Date() })));
    buffer.add({ collection, documentId: ids[0], tenant: {} }, 'E0');
    const first = buffer.flush();
    buffer.add({ collection, documentId: ids[1], tenant: {} }, 'E1'); // arrives while the first write is under way
    await first;
    expect(await collection.findOne({ _id: ids[0] })).not.toHaveProperty('pendingEventsAt');
    await buffer.flush();
    expect(await collection.countDocuments({ pendingEventsAt: { $exists: true } })).toBe(0);
  });
});

describe('a failed acknowledgement batch', () => {
  it('is retried, so its events do not wait for the relay, and its failure is reported as the connection fault it is', async () => {
    const client = (await db.openConnection()).getClient();
    const real = client.db(db.connection.name).collection(`ackr${++prefixes}_docs`);
    const ids = [new Types.ObjectId(), new Types.ObjectId()];
    await real.insertMany(ids.map((_id, i) => ({ _id, outbox: [{ type: 'a', meta: { id: `R${i}` } }], pendingEventsAt: new Date() })));
    let cuts = 1;
    // The first acknowledgement write is lost on the way, as a cut connection loses it.
    const flaky = new Proxy(real, {
      get(target, property, receiver) {
        if (property !== 'updateMany' || cuts === 0) return Reflect.get(target, property, receiver);
        return async () => {
          cuts--;
          throw new mongo.MongoNetworkError('connection 7 to 127.0.0.1:27017 closed');
        };
      },
    });
    const errors: unknown[] = [];
    const buffer = new AckBuffer(5, (error) => errors.push(error));
    for (const [i, documentId] of ids.entries()) buffer.add({ collection: flaky, documentId, tenant: {} }, `R${i}`);
    await buffer.flush();
    await expect.poll(() => real.countDocuments({ _id: { $in: ids }, pendingEventsAt: { $exists: true } }), { timeout: 5_000 }).toBe(0);
    expect(errors).toHaveLength(1);
    expect(isDatabaseUnavailable(errors[0])).toBe(true);
  });
});

describe('acknowledgements and the call scope', () => {
  it('match each document within its tenant, as every other command of the call does', async () => {
    const connection = await db.openConnection({ monitorCommands: true });
    const filters: Record<string, unknown>[] = [];
    connection.getClient().on('commandStarted', (event) => {
      if (event.commandName !== 'update') return;
      filters.push(...(event.command.updates as { q: Record<string, unknown> }[]).filter(isAcknowledgement).map((statement) => statement.q));
    });
    const engine = await createReferral({ connection, collectionPrefix: `ackt${++prefixes}_` });
    await engine.syncIndexes();
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    await engine.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);
    await engine.destroy();
    expect(filters.length).toBeGreaterThanOrEqual(2); // the code's event and the sale's
    expect(filters.map((filter) => String(filter.organizationId))).toEqual(filters.map(() => ctx.organizationId));
  });
});
