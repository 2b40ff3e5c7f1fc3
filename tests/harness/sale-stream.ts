// A process that sells, approves and refunds until it is killed: `node --import tsx tests/harness/sale-stream.ts`, configured by
// FAULT_* variables (see tests/integration/fault-kill.test.ts). Every line it writes is written synchronously, so what the
// parent reads is exactly what had happened when the process died.
import { writeSync } from 'node:fs';
import mongoose from 'mongoose';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { createReferral, type EventTransport } from '../../src/index.js';

const say = (line: object) => writeSync(1, `${JSON.stringify(line)}\n`);
const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

const connection = await mongoose.createConnection(env('MONGODB_URI'), { dbName: env('FAULT_DB'), autoIndex: false, autoCreate: false }).asPromise();
const transport: EventTransport = {
  name: 'child',
  publish: async (event) => {
    say({ delivered: { type: event.type, meta: event.meta } });
  },
};
const engine = await createReferral({ connection, collectionPrefix: env('FAULT_PREFIX'), events: { transport } });
const codes = JSON.parse(env('FAULT_CODES')) as Record<'A' | 'B' | 'C', string>;
const ctx = { organizationId: env('FAULT_TENANT') };
const rng = xoroshiro128plus(Number(env('FAULT_SEED')));
const answered: string[] = [];
say({ ready: true });
for (;;) {
  const roll = uniformInt(rng, 0, 99);
  if (roll < 70 || answered.length === 0) {
    const key = (['A', 'B', 'C'] as const)[uniformInt(rng, 0, 2)] as 'A' | 'B' | 'C';
    const input = {
      code: codes[key],
      refereeRef: new mongoose.Types.ObjectId().toHexString(),
      refereeModel: 'user',
      sourceRef: new mongoose.Types.ObjectId().toHexString(),
      sourceModel: 'Order',
      amount: 100,
      currency: 'USD',
    };
    say({ attempt: { key, input } });
    const answer = await engine.attributeSale(input, ctx);
    say({ answer: { sourceRef: input.sourceRef, id: answer ? String(answer._id) : null } });
    if (answer) answered.push(String(answer._id));
  } else {
    const id = answered[uniformInt(rng, 0, answered.length - 1)] as string;
    if (roll < 85) await engine.repositories.referral.approve(id, { decidedBy: 'mgr' }, { ...ctx, idempotencyKey: `approve-${id}` }).catch(() => {});
    else
      await engine.repositories.referral.reverse(id, { refundKey: `refund-${roll}-${id}`, reason: 'refund', amount: 10, currency: 'USD' }, ctx).catch(() => {});
  }
}
