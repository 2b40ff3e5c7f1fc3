import type { Connection, mongo } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();
const DAY = 86_400_000;

/** The most commands of one kind (in a transaction or not) that were in flight at once on `connection`. */
const overlapOf = (connection: Connection) => {
  const client = connection.getClient();
  const inFlight = { transaction: new Set<number>(), other: new Set<number>() };
  const most = { transaction: 0, other: 0 };
  const kindOf = new Map<number, 'transaction' | 'other'>();
  client.on('commandStarted', (event: mongo.CommandStartedEvent) => {
    if (['hello', 'ismaster', 'endSessions'].includes(event.commandName)) return;
    const kind = event.command.autocommit === false ? 'transaction' : 'other';
    kindOf.set(event.requestId, kind);
    inFlight[kind].add(event.requestId);
    most[kind] = Math.max(most[kind], inFlight[kind].size);
  });
  const done = (event: { requestId: number }) => {
    const kind = kindOf.get(event.requestId);
    if (kind) inFlight[kind].delete(event.requestId);
  };
  client.on('commandSucceeded', done);
  client.on('commandFailed', done);
  return most;
};

describe("reads inside the caller's transaction", () => {
  it('are sent one after another (the driver does not support parallel operations on a session in a transaction); outside one they go together', async () => {
    const monitored = await db.openConnection({ monitorCommands: true });
    const { engine } = await createTestEngine(monitored, { attribution: { leads: true, binding: 'lifetime' } });
    const ctx = newTenantContext();
    const alice = oid();
    const { code } = await engine.repositories.referralCode.generateCode(alice, 'user', ctx);
    const most = overlapOf(monitored);
    const window = { from: new Date(Date.now() - DAY), to: new Date(Date.now() + DAY) };
    // Checkout reads the referee's lead, binding and the code together; the funnel and the time series read visits and sales together.
    const calls = async (session?: mongo.ClientSession) => {
      const scoped = session ? { ...ctx, session } : ctx;
      await engine.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, scoped);
      await engine.stats.funnel({ referrerRef: alice, ...window }, scoped);
      await engine.stats.timeseries({ referrerRef: alice, ...window }, scoped);
    };
    await monitored.transaction((session) => calls(session));
    expect(most.transaction).toBe(1);
    await calls();
    expect(most.other).toBeGreaterThan(1); // the precondition: these calls do send reads together outside a transaction
    expect((await engine.stats.funnel({ referrerRef: alice, ...window }, ctx)).sales).toBe(2); // the transaction's sale committed
  });
});
