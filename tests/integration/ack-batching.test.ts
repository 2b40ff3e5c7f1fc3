import { describe, expect, it } from 'vitest';
import { createReferral } from '../../src/index.js';
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
  const seen = { maxInFlight: 0, updates: 0, statements: 0, salesDone: 0, doneWhenLastLanded: 0, behind: 0 };
  const client = connection.getClient();
  client.on('commandStarted', (event) => {
    if (event.commandName !== 'update' || event.command.update !== `${prefix}referrals`) return;
    inFlight.add(event.requestId);
    seen.updates++;
    seen.statements += (event.command.updates as unknown[]).length;
    seen.maxInFlight = Math.max(seen.maxInFlight, inFlight.size);
    if (seen.statements < seen.doneWhenLastLanded) seen.behind++;
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
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next++ < 400) await sell();
    }));
    await engine.destroy();
    expect(seen.maxInFlight).toBe(1);
    expect(seen.behind).toBe(0);
    expect(seen.statements).toBe(400); // one plain statement per referral, none repeated
    expect(seen.updates).toBeLessThan(400); // so some writes carried several referrals
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
