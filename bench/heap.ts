import { type Connection, Types } from 'mongoose';
import { createReferral } from '../src/index.js';
import { measure } from './stats.js';

const BATCH = 5_000;

export interface HeapReport {
  after5kMiB: number;
  after50kMiB: number;
  growthMiB: number;
}

const heapMiB = (): number => {
  globalThis.gc?.();
  globalThis.gc?.();
  return Number((process.memoryUsage().heapUsed / 2 ** 20).toFixed(2));
};

/** Heap of this process after 5,000 and after 50,000 conversions (run with --expose-gc). */
export const benchHeap = async (connection: Connection): Promise<HeapReport> => {
  if (!globalThis.gc) throw new Error('run the bench with node --expose-gc (npm run bench does)');
  const engine = await createReferral({ connection, collectionPrefix: 'bench_heap_' });
  await engine.syncIndexes();
  const ctx = { organizationId: new Types.ObjectId() };
  const { code } = await engine.repositories.referralCode.generateCode(new Types.ObjectId(), 'user', ctx);
  await engine.events.subscribe('referral:converted', () => {});
  const convert = () => engine.attributeSale({ code, refereeRef: new Types.ObjectId(), refereeModel: 'user', sourceRef: new Types.ObjectId(), sourceModel: 'Order' }, ctx);
  // Conversions in batches of 5,000; the stored referrals are removed between batches so the
  // server's collection stays small (the wire test server checks unique keys by scanning).
  // What is measured is this process's heap, which must not grow with the count.
  const convertBatches = async (batches: number) => {
    for (let b = 0; b < batches; b++) {
      await measure(BATCH, 16, convert);
      await new Promise((resolve) => setTimeout(resolve, 100)); // let the last ack batch land
      await engine.models.Referral.collection.deleteMany({});
    }
  };
  await convertBatches(1);
  const after5kMiB = heapMiB();
  await convertBatches(9);
  const after50kMiB = heapMiB();
  await engine.destroy();
  return { after5kMiB, after50kMiB, growthMiB: Number((after50kMiB - after5kMiB).toFixed(2)) };
};
