import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { payloadJsonSchema } from '../../src/events/definitions.js';
import { referralEventDefinitions, referralEventDefinitionsByName, referralEventNames } from '../../src/events/index.js';
import { sameEmailGuard } from '../../src/guards/index.js';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, newTenantContext, oid } from '../harness/engine.js';
import { checkEventContract, drainDriftForSelfTest } from '../harness/event-contract.js';

const db = useTestDatabase();

describe('event definitions (no drift)', () => {
  it('every event type the engine emits in a full story has a definition, and every definition is emitted', async () => {
    const { engine, events } = await createTestEngine(db.connection, { guards: [sameEmailGuard()], attribution: { leads: true } });
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const sale = () =>
      engine.attributeSale({ code, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order', amount: 12, currency: 'USD' }, ctx);
    const a = await sale();
    const b = await sale();
    await engine.repositories.referral.approve(String(a?._id), { decidedBy: 'm', note: 'fine' }, ctx);
    await engine.repositories.referral.reject(String(b?._id), { decidedBy: 'm', reason: 'refund' }, ctx);
    await engine.repositories.referral.reverse(String(a?._id), { reason: 'chargeback', refundKey: 'dp_1', amount: 5, currency: 'USD' }, ctx);
    await engine.attributeSale(
      {
        code,
        refereeRef: oid(),
        refereeModel: 'user',
        sourceRef: oid(),
        sourceModel: 'Order',
        signals: { refereeEmail: 'a.b+x@gmail.com', referrerEmail: 'AB@gmail.com' },
      },
      ctx,
    );
    const friend = oid();
    await engine.attributeSignup({ code, refereeRef: friend, refereeModel: 'user' }, ctx);
    await engine.attributeSale({ refereeRef: friend, refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' }, ctx);
    await engine.repositories.referralCode.deactivate(code, ctx);
    const referrer = { referrerRef: oid(), referrerModel: 'user' };
    await engine.referrers.suspend({ ...referrer, reason: 'payout fraud review' }, ctx);
    await engine.referrers.resume(referrer, ctx);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(referralEventNames));
    for (const event of events) {
      const definition = referralEventDefinitionsByName[event.type as keyof typeof referralEventDefinitionsByName];
      expect(definition.zodSchema.safeParse(event.payload).success).toBe(true);
    }
  });

  it('generates each JSON Schema without throwing, from the zod schema; minor units as a number that is a multiple of 1', () => {
    for (const definition of referralEventDefinitions) {
      expect(() => z.toJSONSchema(definition.zodSchema, { unrepresentable: 'any' })).not.toThrow();
      expect(definition.schema).toEqual(payloadJsonSchema(definition.zodSchema));
      expect(JSON.stringify(definition.schema)).not.toContain('"integer"');
    }
    expect(referralEventDefinitionsByName['referral:converted'].schema.properties?.amount).toMatchObject({ type: 'number', multipleOf: 1, minimum: 0 });
  });

  it('the contract check catches an undefined type and a payload that does not match', () => {
    // Exercise the checker itself so a silently passing contract cannot hide drift.
    const meta = { id: 'x', timestamp: new Date(), idempotencyKey: 'k' };
    const undefinedType = () => checkEventContract({ type: 'referral:unknown', payload: {}, meta });
    const badPayload = () => checkEventContract({ type: 'referral:converted', payload: { referralId: 1 }, meta });
    undefinedType();
    badPayload();
    // The afterEach hook would fail this test; drain the two breaches it recorded instead.
    expect(drainDriftForSelfTest()).toHaveLength(2);
  });
});
