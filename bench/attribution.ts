import { type Connection, Types } from 'mongoose';
import { createReferral, type ReferralEngine } from '../src/index.js';
import { type LatencySummary, measure, round } from './stats.js';

export interface AttributionRow extends LatencySummary {
  implementation: string;
  kind: 'new' | 'replay';
  concurrency: number;
}

const CONCURRENCY = [1, 16, 64] as const;
const opsFor = (concurrency: number) => (concurrency === 1 ? 1_000 : 2_000);

/**
 * What a hand-written integration sends for the same work: read the code, then one upsert of
 * the referral keyed by the sale (same unique index as the library's).
 */
const rawDriver = async (connection: Connection, organizationId: Types.ObjectId) => {
  const db = connection.db!;
  const codes = db.collection('raw_codes');
  const referrals = db.collection('raw_referrals');
  await codes.createIndex({ organizationId: 1, code: 1 }, { unique: true });
  await referrals.createIndex({ organizationId: 1, sourceModel: 1, sourceRef: 1 }, { unique: true, partialFilterExpression: { deletedAt: null } });
  const ownerRef = new Types.ObjectId();
  await codes.insertOne({ organizationId, code: 'RAWCODE2', ownerRef, ownerModel: 'user', active: true, deletedAt: null });
  return async (sourceRef: Types.ObjectId, refereeRef: Types.ObjectId) => {
    const code = await codes.findOne({ organizationId, code: 'RAWCODE2', active: true, deletedAt: null });
    if (!code) throw new Error('raw code missing');
    const now = new Date();
    return referrals.findOneAndUpdate(
      { organizationId, sourceModel: 'Order', sourceRef, deletedAt: null },
      { $setOnInsert: { referrerRef: code.ownerRef, referrerModel: code.ownerModel, refereeRef, refereeModel: 'user', status: 'converted', createdAt: now, updatedAt: now } },
      { upsert: true, returnDocument: 'after' },
    );
  };
};

const libraryEngine = async (connection: Connection, prefix: string, deactivationFence: boolean): Promise<ReferralEngine> => {
  const engine = await createReferral({ connection, collectionPrefix: prefix, codes: { deactivationFence } });
  await engine.syncIndexes();
  return engine;
};

/** attributeSale throughput and latency, library (with and without the fence) and raw driver. */
export const benchAttribution = async (connection: Connection): Promise<{ rows: AttributionRow[]; ratioAtConcurrency1: Record<string, number> }> => {
  const organizationId = new Types.ObjectId();
  const ctx = { organizationId };
  const raw = await rawDriver(connection, organizationId);
  const implementations: [string, (sourceRef: Types.ObjectId, refereeRef: Types.ObjectId) => Promise<unknown>][] = [['raw driver', raw]];
  for (const [name, fence, prefix] of [
    ['library (default, fenced)', true, 'bench_fenced_'],
    ['library (deactivationFence: false)', false, 'bench_eventual_'],
  ] as const) {
    const engine = await libraryEngine(connection, prefix, fence);
    const { code } = await engine.repositories.referralCode.generateCode(new Types.ObjectId(), 'user', ctx);
    implementations.push([name, (sourceRef, refereeRef) => engine.attributeSale({ code, refereeRef, refereeModel: 'user', sourceRef, sourceModel: 'Order' }, ctx)]);
  }

  const rows: AttributionRow[] = [];
  for (const concurrency of CONCURRENCY) {
    for (const [implementation, attribute] of implementations) {
      await measure(100, concurrency, () => attribute(new Types.ObjectId(), new Types.ObjectId())); // warm-up
      const fresh = await measure(opsFor(concurrency), concurrency, () => attribute(new Types.ObjectId(), new Types.ObjectId()));
      rows.push({ implementation, kind: 'new', concurrency, ...fresh });
      const order = new Types.ObjectId();
      const buyer = new Types.ObjectId();
      await attribute(order, buyer);
      const replay = await measure(opsFor(concurrency), concurrency, () => attribute(order, buyer));
      rows.push({ implementation, kind: 'replay', concurrency, ...replay });
    }
  }

  const at1 = (implementation: string, kind: string) => rows.find((r) => r.implementation === implementation && r.kind === kind && r.concurrency === 1) as AttributionRow;
  const ratio = (implementation: string, kind: string) => round(at1('raw driver', kind).opsPerSecond / at1(implementation, kind).opsPerSecond, 2);
  return {
    rows,
    ratioAtConcurrency1: {
      'fenced, new sale': ratio('library (default, fenced)', 'new'),
      'fenced, replay': ratio('library (default, fenced)', 'replay'),
      'unfenced, new sale': ratio('library (deactivationFence: false)', 'new'),
      'unfenced, replay': ratio('library (deactivationFence: false)', 'replay'),
    },
  };
};
