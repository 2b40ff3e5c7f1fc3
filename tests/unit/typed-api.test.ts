import mongoose from 'mongoose';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type ApprovedPayload,
  type CreateReferralOptions,
  defineReferral,
  type EmittedReferralEvent,
  type OutboxHealth,
  type ParkedEvent,
  type ReferralEngine,
  type ReferralLogger,
  type RelayOptions,
  type Timeseries,
  type TimeseriesInput,
} from '../../src/index.js';

/**
 * What the public types allow and refuse. `tsc --noEmit` checks this file: each
 * `@ts-expect-error` fails the build if the line it marks ever compiles.
 */
const typeChecksOnly = (engine: ReferralEngine) => {
  // Every type a public signature names is exported by name.
  expectTypeOf<Parameters<ReferralEngine['events']['startRelay']>[0]>().toEqualTypeOf<RelayOptions | undefined>();
  expectTypeOf<ReturnType<ReferralEngine['events']['parked']>>().toEqualTypeOf<Promise<ParkedEvent[]>>();
  expectTypeOf<ReturnType<ReferralEngine['events']['pending']>>().toEqualTypeOf<Promise<Record<string, OutboxHealth>>>();
  expectTypeOf<NonNullable<CreateReferralOptions['logger']>>().toEqualTypeOf<ReferralLogger>();
  expectTypeOf<Parameters<ReferralEngine['stats']['timeseries']>[0]>().toEqualTypeOf<TimeseriesInput>();
  expectTypeOf<ReturnType<ReferralEngine['stats']['timeseries']>>().toEqualTypeOf<Promise<Timeseries>>();
  // @ts-expect-error: hours are not an interval (buckets are calendar days, weeks or months)
  void engine.stats.timeseries({ referrerRef: 'a', from: new Date(), to: new Date(), interval: 'hour' }, {});
  void engine.events.subscribe('referral:approved', (event) => {
    expectTypeOf(event.payload).toEqualTypeOf<ApprovedPayload>();
    expectTypeOf(event.meta.idempotencyKey).toEqualTypeOf<string>();
  });
  void engine.events.subscribe('referral:*', (event) => {
    expectTypeOf(event).toEqualTypeOf<EmittedReferralEvent>();
    if (event.type === 'referral:rejected') expectTypeOf(event.payload.reason).toEqualTypeOf<string>();
  });
  void engine.events.subscribe('referral:code.*', (event) => {
    expectTypeOf(event.type).toEqualTypeOf<'referral:code.created' | 'referral:code.deactivated'>();
  });
  // @ts-expect-error a misspelled event name does not compile
  void engine.events.subscribe('referral:aproved', () => {});
  // @ts-expect-error ctx is required (pass {} in single-tenant mode)
  void engine.attributeSale({ code: 'X', refereeRef: 'u', refereeModel: 'user', sourceRef: 'o', sourceModel: 'Order' });
  // @ts-expect-error ctx is required on repository verbs too
  void engine.repositories.referralCode.generateCode('u', 'user');
  // @ts-expect-error metadata is an object
  void engine.attributeSale({ code: 'X', refereeRef: 'u', refereeModel: 'user', sourceRef: 'o', sourceModel: 'Order', metadata: 42 }, {});
  // @ts-expect-error a visit's time is a Date
  void engine.trackVisit({ code: 'X', visitorId: 'v', at: 'yesterday' }, {});
};

describe('typed public API', () => {
  it('is checked by tsc (this file compiles only if the refusals above still refuse)', () => {
    expectTypeOf(typeChecksOnly).toBeFunction();
  });

  it('tells a JavaScript caller what a visit time must be', async () => {
    const engine = defineReferral({ tenant: false, collectionPrefix: 'typed_' }).bind(mongoose.createConnection());
    await expect(engine.trackVisit({ code: 'ABCD2345', visitorId: 'v', at: 'yesterday' as never }, {})).rejects.toMatchObject({
      code: 'validation_failed',
      field: 'input.at',
      message: 'Invalid input.at: Expected a valid Date',
    });
    await expect(engine.trackVisit({ code: 'ABCD2345', visitorId: 'v', at: new Date('nope') }, {})).rejects.toMatchObject({
      field: 'input.at',
      message: 'Invalid input.at: Expected a valid Date',
    });
    await expect(
      engine.attributeSale({ code: 'ABCD2345', refereeRef: 'u', refereeModel: 'user', sourceRef: 'o', sourceModel: 'Order', metadata: 42 as never }, {}),
    ).rejects.toMatchObject({ field: 'input.metadata' });
    await engine.close();
  });
});
