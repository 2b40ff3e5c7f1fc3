import { type Connection, Types } from 'mongoose';
import { createReferral, type ReferralEngine } from '../src/index.js';
import { rawSameCommands } from './raw-same.js';
import { percentileOf, round, sampleLatencies } from './stats.js';

type Attribute = (sourceRef: Types.ObjectId, refereeRef: Types.ObjectId) => Promise<unknown>;

export interface AttributionRow {
  variant: string;
  kind: 'new' | 'replay';
  concurrency: number;
  calls: number;
  p50Ms: number;
  p95Ms: number;
  /** Variant ÷ its baseline (the raw driver doing the same work), from samples interleaved in the same blocks. */
  p50Ratio: number;
  p95Ratio: number;
}

/**
 * What a hand-written integration sends for the same work: read the code, then one upsert of
 * the referral keyed by the sale (same unique index as the library's). Fresh collections per
 * run, as the library's, so a long-lived server does not slow one side only. `upsertOnly` skips
 * the code read (the code known in advance): the command a cached library sale sends first.
 */
export const rawDriver = async (
  connection: Connection,
  organizationId: Types.ObjectId,
): Promise<{ attribute: Attribute; upsertOnly: Attribute; clear: () => Promise<void> }> => {
  const db = connection.db!;
  const prefix = `raw_${Date.now()}_`;
  const codes = db.collection(`${prefix}codes`);
  // One referrals collection per variant, as the library variants have: this server scans, so sizes must match.
  const [referrals, upsertOnlyReferrals] = [db.collection(`${prefix}referrals`), db.collection(`${prefix}upsert_referrals`)];
  await codes.createIndex({ organizationId: 1, code: 1 }, { unique: true });
  for (const collection of [referrals, upsertOnlyReferrals]) {
    await collection.createIndex({ organizationId: 1, sourceModel: 1, sourceRef: 1 }, { unique: true, partialFilterExpression: { deletedAt: null } });
  }
  const ownerRef = new Types.ObjectId();
  await codes.updateOne(
    { organizationId, code: 'RAWCODE2' },
    { $setOnInsert: { ownerRef, ownerModel: 'user', active: true, deletedAt: null } },
    { upsert: true },
  );
  const upsert = (code: { ownerRef: unknown; ownerModel: unknown }, sourceRef: Types.ObjectId, refereeRef: Types.ObjectId, into = referrals) => {
    const now = new Date();
    return into.findOneAndUpdate(
      { organizationId, sourceModel: 'Order', sourceRef, deletedAt: null },
      {
        $setOnInsert: {
          referrerRef: code.ownerRef,
          referrerModel: code.ownerModel,
          refereeRef,
          refereeModel: 'user',
          status: 'converted',
          createdAt: now,
          updatedAt: now,
        },
      },
      { upsert: true, returnDocument: 'after' },
    );
  };
  return {
    attribute: async (sourceRef, refereeRef) => {
      const code = await codes.findOne({ organizationId, code: 'RAWCODE2', active: true, deletedAt: null });
      if (!code) throw new Error('raw code missing');
      return upsert({ ownerRef: code.ownerRef, ownerModel: code.ownerModel }, sourceRef, refereeRef);
    },
    upsertOnly: (sourceRef, refereeRef) => upsert({ ownerRef, ownerModel: 'user' }, sourceRef, refereeRef, upsertOnlyReferrals),
    clear: async () => {
      for (const collection of [referrals, upsertOnlyReferrals]) await collection.deleteMany({});
    },
  };
};

interface Variant {
  name: string;
  attribute: Attribute;
  /** The variant its ratios divide by. */
  baseline: string;
  engine?: ReferralEngine;
}

const RAW = 'raw driver';
const RAW_UPSERT = 'raw driver, upsert only (code known)';
const RAW_SAME = "raw driver, the library's commands";

/**
 * The library variants: the default engine; the one that sends raw's two commands; and the one
 * that sends only the upsert (cached code, no fence), compared with raw's upsert alone so the
 * library's cost around one command shows on its own.
 */
const libraryVariants = async (connection: Connection, organizationId: Types.ObjectId): Promise<Variant[]> => {
  const variants: Variant[] = [];
  for (const [name, codes, baseline] of [
    ['library, default', {}, RAW],
    ['library, deactivationFence: false (lookup, upsert, standing read, deciding write)', { deactivationFence: false }, RAW],
    ['library, code cached, no fence (upsert, standing read, deciding write)', { deactivationFence: false, cache: { ttlMs: 3_600_000, max: 10 } }, RAW_UPSERT],
  ] as const) {
    const engine = await createReferral({ connection, collectionPrefix: `bench_${variants.length}_${Date.now()}_`, codes, logger: null });
    await engine.syncIndexes();
    const ctx = { organizationId };
    const { code } = await engine.repositories.referralCode.generateCode(new Types.ObjectId(), 'user', ctx);
    const attribute: Attribute = (sourceRef, refereeRef) =>
      engine.attributeSale({ code, refereeRef, refereeModel: 'user', sourceRef, sourceModel: 'Order' }, ctx);
    await attribute(new Types.ObjectId(), new Types.ObjectId()); // caches the code where the cache is on
    variants.push({ name, engine, attribute, baseline });
  }
  return variants;
};

/**
 * Unsampled calls each variant makes first, new sales and replays, so the JIT has compiled every
 * path as it has in a checkout process that has served some sales (a larger code path takes
 * longer to reach its optimized tier). The referrals they record are deleted before measuring.
 */
const warmUp = async (variants: readonly Variant[], calls: number): Promise<void> => {
  for (const v of variants) {
    const replay: [Types.ObjectId, Types.ObjectId] = [new Types.ObjectId(), new Types.ObjectId()];
    for (let i = 0; i < calls; i++) await v.attribute(new Types.ObjectId(), new Types.ObjectId());
    for (let i = 0; i < calls; i++) await v.attribute(...replay);
  }
};

/**
 * Interleaved measurement, after a warm-up: in each block every variant runs `calls` operations,
 * raw included, and the order of variants reverses from block to block, so drift in the machine
 * or the server's state falls on every variant alike. Ratios compare percentiles over all blocks.
 */
export const benchAttribution = async (connection: Connection, options: { blocks: number; calls: number; warmUp: number }): Promise<AttributionRow[]> => {
  const organizationId = new Types.ObjectId();
  const library = await libraryVariants(connection, organizationId);
  const raw = await rawDriver(connection, organizationId);
  const same = await rawSameCommands(connection, organizationId);
  const byDefault = library[0] as Variant;
  const variants: Variant[] = [
    { name: RAW, attribute: raw.attribute, baseline: RAW },
    { name: RAW_UPSERT, attribute: raw.upsertOnly, baseline: RAW_UPSERT },
    { name: RAW_SAME, attribute: same.sale, baseline: RAW_SAME },
    ...library,
    // The default engine again, divided by the same commands sent raw: the library's own cost.
    { name: "library, default \u00f7 raw sending the library's commands", attribute: byDefault.attribute, baseline: RAW_SAME },
  ];
  await warmUp(variants, options.warmUp);
  // Measured from the data state a run without warm-up starts from: this server's writes slow as collections grow.
  await raw.clear();
  await same.clear();
  for (const v of library) await v.engine?.models.Referral.collection.deleteMany({});
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
          const op =
            kind === 'new'
              ? () => v.attribute(new Types.ObjectId(), new Types.ObjectId())
              : () => v.attribute(...(replayOf.get(v.name) as [Types.ObjectId, Types.ObjectId]));
          samples.get(v.name)?.push(...(await sampleLatencies(options.calls, concurrency, op)));
        }
      }
      for (const v of variants) {
        const s = samples.get(v.name) as number[];
        const base = samples.get(v.baseline) as number[];
        const [p50, p95] = [percentileOf(s, 50), percentileOf(s, 95)];
        rows.push({
          variant: v.name,
          kind,
          concurrency,
          calls: s.length,
          p50Ms: round(p50),
          p95Ms: round(p95),
          p50Ratio: round(p50 / percentileOf(base, 50), 2),
          p95Ratio: round(p95 / percentileOf(base, 95), 2),
        });
      }
    }
  }
  for (const v of library) await v.engine?.destroy();
  return rows;
};
