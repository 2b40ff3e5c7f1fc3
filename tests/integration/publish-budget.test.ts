import { describe, expect, it } from 'vitest';
import { createReferral, type DomainEvent, type EventTransport, type FraudGuard } from '../../src/index.js';
import { useTestDatabase } from '../harness/database.js';
import { leadModel, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();
let prefixes = 0;

const BUDGET_MS = 200;

/**
 * A broker that accepts nothing until `answerAfterMs` after its first publish, then accepts
 * everything it was given. A verb held for one budget returns before that; a verb that waited a
 * budget per event (three or more events) returns after it.
 */
const lateBroker = (answerAfterMs: number, withPublishMany: boolean) => {
  const accepted: DomainEvent[] = [];
  const offered: string[] = [];
  let answer: Promise<void> | undefined;
  let answered = false;
  const whenAnswered = (event: DomainEvent): Promise<void> => {
    offered.push(event.type);
    answer ??= new Promise<void>((resolve) =>
      setTimeout(() => {
        answered = true;
        resolve();
      }, answerAfterMs),
    );
    return answer.then(() => void accepted.push(event));
  };
  const transport: EventTransport = {
    name: 'late',
    publish: whenAnswered,
    ...(withPublishMany
      ? {
          publishMany: async (events: readonly DomainEvent[]) => {
            await Promise.all(events.map(whenAnswered));
            return new Map(events.map((event) => [event.meta.id, null] as const));
          },
        }
      : {}),
  };
  return { transport, accepted, offered, isAnswered: () => answered, settled: () => answer };
};

const flagEverything: FraudGuard = () => ({ outcome: 'flag', rule: 'test.flag' });

const engineWith = async (prefix: string, transport: EventTransport) => {
  const errors: unknown[] = [];
  const engine = await createReferral({
    connection: db.connection,
    collectionPrefix: prefix,
    attribution: { leads: true },
    guards: [flagEverything],
    events: { transport, publishTimeoutMs: BUDGET_MS, onError: (error) => void errors.push(error) },
  });
  await engine.syncIndexes();
  return { engine, errors };
};

describe('one publish budget per verb', () => {
  it.each([
    ['one publish per event', false],
    ['publishMany', true],
  ])(
    'a first flagged sale through a code with leads on (4 events, 3 writes) returns within one budget on a hung broker (%s)',
    async (_name, withPublishMany) => {
      const broker = lateBroker(BUDGET_MS * 2.5, withPublishMany);
      const prefix = `pb${++prefixes}_`;
      const setup = await engineWith(prefix, { name: 'setup', publish: async () => {} });
      const ctx = newTenantContext();
      const { code } = await setup.engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
      await setup.engine.destroy();
      const { engine, errors } = await engineWith(prefix, broker.transport);

      const referral = await engine.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);

      // The verb came back before the broker answered anything, whatever it emitted.
      expect(broker.isAnswered()).toBe(false);
      expect(referral?.status).toBe('converted');
      expect(referral?.review?.flagged).toBe(true);
      // The lead, recorded first, offered its event and spent the budget; the sale's and the conversion's were left to the relay.
      expect(broker.offered).toEqual(['referral:lead.created']);
      expect(errors.filter((error) => (error as { code?: string }).code === 'publish_timeout')).toHaveLength(4);
      // The event offered and not answered counts one failed delivery; the three never offered count none.
      const lead = await leadModel(engine).collection.findOne({ firstReferralId: referral?._id });
      expect(lead?.outbox).toHaveLength(2);
      expect(Object.values((lead?.deliveryFailures ?? {}) as Record<string, number>)).toEqual([1]);
      const stored = await engine.models.Referral.collection.findOne({ _id: referral?._id });
      expect(stored?.outbox).toHaveLength(2);
      expect(stored?.deliveryFailures).toBeUndefined();
      // Nothing is lost: once the broker answers, the relay delivers what the verb left pending.
      await broker.settled();
      const relayed = await engine.events.redeliver();
      expect(relayed.failed).toBe(0);
      const types = new Set(broker.accepted.map((event) => event.type));
      expect([...types].sort()).toEqual(['referral:converted', 'referral:flagged', 'referral:lead.converted', 'referral:lead.created']);
      await engine.destroy();
    },
  );
});

describe('a checkout and the broker', () => {
  it('with the default budget, a checkout returns before a broker that answers after two seconds does', async () => {
    const broker = lateBroker(2_000, false);
    const prefix = `pb${++prefixes}_`;
    const engine = await createReferral({ connection: db.connection, collectionPrefix: prefix, events: { transport: broker.transport, onError: () => {} } });
    await engine.syncIndexes();
    const ctx = newTenantContext();
    const code = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx); // waits out its own budget on the late broker
    const referral = await engine.attributeSale({ code: code.code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);
    expect(referral?.status).toBe('converted');
    expect(broker.isAnswered()).toBe(false);
    await broker.settled();
    await engine.destroy();
  });

  it('publishAfterWrite: false returns at commit without offering anything to the broker; the relay delivers it', async () => {
    const offered: string[] = [];
    const transport: EventTransport = { name: 'counting', publish: async (event) => void offered.push(event.type) };
    const engine = await createReferral({ connection: db.connection, collectionPrefix: `pb${++prefixes}_`, events: { transport, publishAfterWrite: false } });
    await engine.syncIndexes();
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    await engine.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);
    expect(offered).toEqual([]);
    expect(await engine.events.redeliver()).toEqual({ published: 2, failed: 0 });
    expect(offered.sort()).toEqual(['referral:code.created', 'referral:converted']);
    await engine.destroy();
  });

  it('refuses a publishAfterWrite that is not a boolean', async () => {
    await expect(createReferral({ connection: db.connection, events: { publishAfterWrite: 'no' as never } })).rejects.toMatchObject({
      code: 'validation_failed',
      field: 'events.publishAfterWrite',
    });
  });
});
