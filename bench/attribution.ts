import { type Connection, Types } from 'mongoose';
import { createReferral, type ReferralEngine } from '../src/index.js';
import { percentileOf, round, sampleLatencies } from './stats.js';

export type Attribute = (sourceRef: Types.ObjectId, refereeRef: Types.ObjectId) => Promise<unknown>;

export interface AttributionRow {
  variant: string;
  kind: 'new' | 'replay';
  concurrency: number;
  calls: number;
  p50Ms: number;
  p95Ms: number;
  /** Library / raw driver, from samples interleaved with raw's in the same blocks. */
  p50Ratio: number;
  p95Ratio: number;
}

/**
 * What a hand-written integration sends for the same work: read the code, then one upsert of
 * the referral keyed by the sale (same unique index as the library's).
 */
export const rawDriver = async (connection: Connection, organizationId: Types.ObjectId): Promise<Attribute> => {
  const db = connection.db!;
  const codes = db.collection('raw_codes');
  const referrals = db.collection('raw_referrals');
  await codes.createIndex({ organizationId: 1, code: 1 }, { unique: true });
  await referrals.createIndex({ organizationId: 1, sourceModel: 1, sourceRef: 1 }, { unique: true, partialFilterExpression: { deletedAt: null } });
  const ownerRef = new Types.ObjectId();
  await codes.updateOne({ organizationId, code: 'RAWCODE2' }, { $setOnInsert: { ownerRef, ownerModel: 'user', active: true, deletedAt: null } }, { upsert: true });
  return async (sourceRef, refereeRef) => {
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

/** The library variants measured against raw: the default engine, and the one that sends raw's commands. */
export const libraryVariants = async (connection: Connection, organizationId: Types.ObjectId): Promise<{ name: string; engine: ReferralEngine; attribute: Attribute }[]> => {
  const variants: { name: string; engine: ReferralEngine; attribute: Attribute }[] = [];
  for (const [name, deactivationFence] of [
    ['library, default', true],
    ['library, deactivationFence: false (raw\u2019s commands)', false],
  ] as const) {
    const engine = await createReferral({ connection, collectionPrefix: `bench_${variants.length}_${Date.now()}_`, codes: { deactivationFence }, logger: null });
    await engine.syncIndexes();
    const ctx = { organizationId };
    const { code } = await engine.repositories.referralCode.generateCode(new Types.ObjectId(), 'user', ctx);
    variants.push({ name, engine, attribute: (sourceRef, refereeRef) => engine.attributeSale({ code, refereeRef, refereeModel: 'user', sourceRef, sourceModel: 'Order' }, ctx) });
  }
  return variants;
};

/**
 * Interleaved measurement: in each block every variant runs `calls` operations, raw included,
 * and the order of variants reverses from block to block, so drift in the machine or the
 * server's state falls on every variant alike. Ratios compare percentiles over all blocks.
 */
export const benchAttribution = async (connection: Connection, options: { blocks: number; calls: number }): Promise<AttributionRow[]> => {
  const organizationId = new Types.ObjectId();
  const library = await libraryVariants(connection, organizationId);
  const variants = [{ name: 'raw driver', attribute: await rawDriver(connection, organizationId) }, ...library];
  const rows: AttributionRow[] = [];
  for (const concurrency of [1, 16]) {
    for (const kind of ['new', 'replay'] as const) {
      const samples = new Map<string, number[]>(variants.map((v) => [v.name, []]));
      const replayOf = new Map<string, [Types.ObjectId, Types.ObjectId]>();
      for (const v of variants) {
        const pair: [Types.ObjectId, Types.ObjectId] = [new Types.ObjectId(), new Types.ObjectId()];
        await v.attribute(...pair);
        replayOf.set(v.name, pair);
      }
      for (let block = 0; block < options.blocks; block++) {
        const order = block % 2 === 0 ? variants : [...variants].reverse();
        for (const v of order) {
          const op = kind === 'new' ? () => v.attribute(new Types.ObjectId(), new Types.ObjectId()) : () => v.attribute(...(replayOf.get(v.name) as [Types.ObjectId, Types.ObjectId]));
          samples.get(v.name)?.push(...(await sampleLatencies(options.calls, concurrency, op)));
        }
      }
      const raw = samples.get('raw driver') as number[];
      const [rawP50, rawP95] = [percentileOf(raw, 50), percentileOf(raw, 95)];
      for (const v of variants) {
        const s = samples.get(v.name) as number[];
        const [p50, p95] = [percentileOf(s, 50), percentileOf(s, 95)];
        rows.push({ variant: v.name, kind, concurrency, calls: s.length, p50Ms: round(p50), p95Ms: round(p95), p50Ratio: round(p50 / rawP50, 2), p95Ratio: round(p95 / rawP95, 2) });
      }
    }
  }
  for (const v of library) await v.engine.destroy();
  return rows;
};
