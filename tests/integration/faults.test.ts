import mongoose, { mongo } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { createReferral, isDatabaseUnavailable, isReferralError, type ReferralEngine } from '../../src/index.js';
import { useTestDatabase } from '../harness/database.js';

const db = useTestDatabase();

const sale = { code: 'ABCDEFGH', refereeRef: 'buyer-1', refereeModel: 'user', sourceRef: 'order-1', sourceModel: 'Order' };

/** Every kind of verb: a read, an upsert, a transition, the relay. None may hang or be mistaken for a domain error. */
const callEveryKind = (engine: ReferralEngine) => [
  engine.repositories.referralCode.generateCode('owner-1', 'user', {}),
  engine.attributeSale(sale, {}),
  engine.repositories.referral.approve('0123456789abcdef01234567', { decidedBy: 'm' }, {}),
  engine.events.redeliver(),
];

describe('connection faults', () => {
  it('a server that cannot be reached: verbs reject (no hang past bufferTimeoutMS) with the driver errors, recognized by isDatabaseUnavailable', async () => {
    const connection = mongoose.createConnection('mongodb://127.0.0.1:9/unreachable', {
      serverSelectionTimeoutMS: 200,
      bufferTimeoutMS: 300,
    } as mongoose.ConnectOptions);
    connection.asPromise().catch(() => {});
    const engine = await createReferral({ connection, tenant: false });
    const outcomes = await Promise.allSettled(callEveryKind(engine));
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      const error = (outcome as PromiseRejectedResult).reason as Error;
      expect(isReferralError(error), error.message).toBe(false);
      expect(isDatabaseUnavailable(error), `${error.name}: ${error.message}`).toBe(true);
    }
    await engine.destroy();
    await connection.close();
  });

  it('a connection closed under a live engine: verbs reject with MongoNotConnectedError', async () => {
    const connection = await db.openConnection({ bufferTimeoutMS: 300 } as mongoose.ConnectOptions);
    const engine = await createReferral({ connection, tenant: false, collectionPrefix: 'closed_' });
    await connection.close();
    const outcomes = await Promise.allSettled(callEveryKind(engine));
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      expect(isDatabaseUnavailable((outcome as PromiseRejectedResult).reason)).toBe(true);
    }
    await engine.destroy();
  });

  it('isDatabaseUnavailable sees through the driver wrapping a connection fault in a bulk write error', () => {
    const wrapped = Object.create(mongo.MongoBulkWriteError.prototype) as Error & { errorResponse: unknown };
    wrapped.errorResponse = new mongo.MongoNetworkError('connection 4 to 127.0.0.1:27017 closed');
    expect(wrapped.name).toBe('MongoBulkWriteError');
    expect(isDatabaseUnavailable(wrapped)).toBe(true);
    const duplicate = Object.create(mongo.MongoBulkWriteError.prototype) as Error & { errorResponse: unknown };
    duplicate.errorResponse = { code: 11000, errmsg: 'E11000 duplicate key error' };
    expect(isDatabaseUnavailable(duplicate)).toBe(false);
  });

  it('isDatabaseUnavailable is false for domain errors and other failures', () => {
    expect(isDatabaseUnavailable(new Error('x'))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('E11000'), { name: 'MongoServerError', code: 11000 }))).toBe(false);
    expect(isDatabaseUnavailable('MongoNetworkError')).toBe(false);
  });
});
