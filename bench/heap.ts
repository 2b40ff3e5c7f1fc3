import { type Connection, Types } from 'mongoose';
import { createReferral } from '../src/index.js';
import { measure } from './stats.js';

export interface HeapReport {
  conversions: number;
  points: number;
  firstMiB: number;
  lastMiB: number;
  /** Least-squares slope of heap (after GC) against conversions, per 10,000 conversions. */
  slopeMiBPer10k: number;
}

const heapMiB = (): number => {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

const slope = (xs: readonly number[], ys: readonly number[]): number => {
  const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const [mx, my] = [mean(xs), mean(ys)];
  const num = xs.reduce((sum, x, i) => sum + (x - mx) * ((ys[i] as number) - my), 0);
  const den = xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
  return num / den;
};

/**
 * Heap soak: `points` batches of `batch` conversions through one engine with a subscriber, heap
 * sampled after GC at the end of each batch; the figure is the fitted slope, not two endpoints.
 * Stored referrals are removed between batches so the wire test server (which scans for unique
 * checks) stays fast; this process's heap is what is measured.
 */
export const benchHeap = async (connection: Connection, options: { points: number; batch: number }): Promise<HeapReport> => {
  if (!globalThis.gc) throw new Error('run the bench with node --expose-gc (npm run bench does)');
  const engine = await createReferral({ connection, collectionPrefix: 'bench_heap_', logger: null });
  await engine.syncIndexes();
  const ctx = { organizationId: new Types.ObjectId() };
  const { code } = await engine.repositories.referralCode.generateCode(new Types.ObjectId(), 'user', ctx);
  await engine.events.subscribe('referral:converted', () => {});
  const convert = () =>
    engine.attributeSale({ code, refereeRef: new Types.ObjectId(), refereeModel: 'user', sourceRef: new Types.ObjectId(), sourceModel: 'Order' }, ctx);
  const xs: number[] = [];
  const ys: number[] = [];
  await measure(options.batch, 16, convert); // warm-up batch, not sampled
  for (let p = 1; p <= options.points; p++) {
    await measure(options.batch, 16, convert);
    await new Promise((resolve) => setTimeout(resolve, 100)); // let the last ack batch land
    await engine.models.Referral.collection.deleteMany({});
    xs.push(p * options.batch);
    ys.push(heapMiB());
  }
  await engine.destroy();
  const fixed = (n: number) => Number(n.toFixed(2));
  return {
    conversions: options.points * options.batch,
    points: options.points,
    firstMiB: fixed(ys[0] as number),
    lastMiB: fixed(ys.at(-1) as number),
    slopeMiBPer10k: Number((slope(xs, ys) * 10_000).toFixed(3)),
  };
};
