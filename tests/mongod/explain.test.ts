import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { storedReferral } from '../../bench/stored-referral.js';
import { createReferral } from '../../src/index.js';
import { QUERY_SHAPES } from '../../src/store/query-shapes.js';
import { useTestDatabase } from '../harness/database.js';
import { leadModel } from '../harness/engine.js';
import { type Examined, examinedBy } from '../harness/examined.js';

/**
 * Needs a real mongod (`MONGODB_URI`, or mongodb-memory-server): the planner's choice is what is
 * checked. Against a server without `explain` it fails, by design, rather than passing silently.
 */
const db = useTestDatabase();

const sample: Record<string, unknown> = {
  _id: new Types.ObjectId(),
  organizationId: new Types.ObjectId(),
  code: 'ABCD2345',
  kind: 'generated',
  active: true,
  deletedAt: null,
  ownerModel: 'user',
  ownerRef: new Types.ObjectId(),
  sourceModel: 'Order',
  sourceRef: new Types.ObjectId(),
  referrerRef: new Types.ObjectId(),
  refereeRef: new Types.ObjectId(),
  refereeModel: 'user',
  visitorId: 'visitor-1',
  actors: 'actor-1',
  referrerModel: 'user',
  codeId: new Types.ObjectId(),
  status: 'converted',
  reviewRequired: true,
  day: new Date(Date.UTC(2026, 0, 1)),
};

const indexesUsed = (plan: unknown): string[] => {
  if (!plan || typeof plan !== 'object') return [];
  const node = plan as Record<string, unknown>;
  const here = typeof node.indexName === 'string' ? [node.indexName] : node.stage === 'IDHACK' ? ['_id_'] : [];
  const children = [node.inputStage, ...(Array.isArray(node.inputStages) ? node.inputStages : [])];
  return [...here, ...children.flatMap(indexesUsed)];
};

const stages = (plan: unknown): string[] => {
  if (!plan || typeof plan !== 'object') return [];
  const node = plan as Record<string, unknown>;
  return [String(node.stage), ...[node.inputStage, ...(Array.isArray(node.inputStages) ? node.inputStages : [])].flatMap(stages)];
};

describe('hot queries use their declared index (explain)', () => {
  it('the server explains queries (a real mongod is required for this suite)', async () => {
    const result = await db.connection.db!.command({ explain: { find: 'probe', filter: {} }, verbosity: 'queryPlanner' }).catch((error: unknown) => error);
    expect(result, 'this suite needs a real mongod: set MONGODB_URI or let mongodb-memory-server start one').toHaveProperty('queryPlanner');
  });

  it.each(QUERY_SHAPES.flatMap((shape) => shape.targets.map((target) => [shape.name, target.collection, target.index, shape] as const)))(
    '%s on %s uses %s without a collection scan or an in-memory sort',
    async (_name, collection, index, shape) => {
      const engine = await createReferral({ connection: db.connection, collectionPrefix: 'explain_', autoIndex: true, attribution: { leads: true } });
      try {
        const model = {
          referral_codes: engine.models.ReferralCode,
          referrals: engine.models.Referral,
          referral_touches: engine.models.ReferralTouch,
          referral_bindings: engine.models.ReferralBinding,
          referral_leads: leadModel(engine),
          referral_referrers: engine.models.ReferralReferrer,
          referral_rollups: engine.models.ReferralRollup,
        }[collection];
        const filter: Record<string, unknown> = shape.tenantScoped ? { organizationId: sample.organizationId } : {};
        for (const field of shape.equality) filter[field] = sample[field];
        for (const field of shape.range ?? []) filter[field] = { $lte: new Date() };
        const sort: Record<string, 1 | -1> = Object.fromEntries((shape.sort ?? []).map((field) => [field, shape.range?.includes(field) ? 1 : -1]));
        const explained = await model.collection.find(filter, { sort }).explain('queryPlanner');
        const winning = (explained.queryPlanner as { winningPlan: unknown }).winningPlan;
        const plan = (winning as { queryPlan?: unknown }).queryPlan ?? winning;
        expect(indexesUsed(plan)).toContain(index);
        expect(stages(plan)).not.toContain('COLLSCAN');
        expect(stages(plan)).not.toContain('SORT');
      } finally {
        await engine.destroy();
      }
    },
  );

  it('a deep page and a status-filtered page read about `limit` index keys (keyset bound, status index)', async () => {
    const engine = await createReferral({ connection: db.connection, collectionPrefix: 'explain_deep_', autoIndex: true });
    try {
      const organizationId = new Types.ObjectId();
      const referrerRef = new Types.ObjectId();
      const base = Date.now();
      await engine.models.Referral.collection.insertMany(
        Array.from({ length: 400 }, (_, i) =>
          storedReferral(organizationId, referrerRef, new Date(base - i * 1000), { status: i % 4 === 0 ? 'approved' : 'converted' }),
        ) as never[],
      );
      const ctx = { organizationId: organizationId.toHexString() };
      let after: string | undefined;
      for (let page = 0; page < 10; page++)
        after = (await engine.repositories.referral.listForReferrer(referrerRef, { limit: 20, ...(after ? { after } : {}) }, ctx)).next ?? undefined;
      expect(after).toBeDefined();
      const { decodeCursor, afterPosition } = await import('../../src/store/keyset-page.js');
      const deep = await engine.models.Referral.collection
        .find(
          { organizationId, referrerRef, deletedAt: null, ...afterPosition(decodeCursor(after as string)) },
          { sort: { createdAt: -1, _id: -1 }, limit: 21 },
        )
        .explain('executionStats');
      expect((deep.executionStats as { totalKeysExamined: number }).totalKeysExamined).toBeLessThanOrEqual(23);
      const approved = await engine.models.Referral.collection
        .find({ organizationId, referrerRef, status: 'approved', deletedAt: null }, { sort: { createdAt: -1, _id: -1 }, limit: 21 })
        .explain('executionStats');
      expect((approved.executionStats as { totalKeysExamined: number }).totalKeysExamined).toBeLessThanOrEqual(23);
      expect(indexesUsed((approved.queryPlanner as { winningPlan: unknown }).winningPlan)).toContain('rf_referral_referrer_status_recent');
    } finally {
      await engine.destroy();
    }
  });
});

describe('dashboards examine what their days hold, not what the creator ever did (explain)', () => {
  const DAY = 86_400_000;
  const midnight = Math.floor(Date.now() / DAY) * DAY;
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('forReferrer, a 10-day funnel, leaderboard and weekly time series examine the same keys and documents at 1,000 and 10,000 referrals over 20 days', async () => {
    const monitored = await db.openConnection({ monitorCommands: true });
    const engine = await createReferral({ connection: monitored, collectionPrefix: 'explain_dash_', autoIndex: true, stats: { graceMs: 1 } });
    try {
      const organizationId = new Types.ObjectId();
      const ctx = { organizationId: organizationId.toHexString() };
      const creator = new Types.ObjectId();
      // Records as the engine leaves them: stamped when they changed last (now, as if just written).
      const seed = (count: number) =>
        engine.models.Referral.collection.insertMany(
          Array.from({ length: count }, (_, i) => {
            const at = new Date(midnight - (1 + (i % 20)) * DAY + 3_600_000);
            return {
              ...storedReferral(organizationId, creator, at, { status: i % 3 ? 'converted' : 'approved', amount: 1000, currency: 'USD' }),
              changedAt: new Date(),
            };
          }) as never[],
        );
      const window = { from: new Date(midnight - 10 * DAY), to: new Date(midnight) };
      const reads = {
        forReferrer: () => engine.stats.forReferrer(creator, ctx),
        funnel: () => engine.stats.funnel({ referrerRef: creator, ...window }, ctx),
        leaderboard: () => engine.stats.leaderboard(window, ctx),
        timeseries: () => engine.stats.timeseries({ referrerRef: creator, ...window, interval: 'week' }, ctx),
      };
      const steady = async () => {
        for (const read of Object.values(reads)) await read(); // computes what changed
        await pause(20); // past the grace: the watermarks pass it
        for (const read of Object.values(reads)) await read();
        const figures: Record<string, Examined> = {};
        for (const [name, read] of Object.entries(reads)) figures[name] = await examinedBy(monitored, read);
        return figures;
      };
      await seed(1_000);
      const small = await steady();
      await seed(9_000);
      const large = await steady();
      expect(large).toEqual(small);
      // 20 day rollups and the watermark; nothing changed since, so the change scans examine nothing.
      expect(small.forReferrer?.keysExamined).toBeLessThanOrEqual(21);
      expect(small.funnel?.keysExamined).toBeLessThanOrEqual(11 + 10); // 10 days, the watermark, and the touches of the window (none)
      expect(small.leaderboard?.keysExamined).toBeLessThanOrEqual(11);
      expect(small.timeseries?.keysExamined).toBeLessThanOrEqual(11 + 10); // as the funnel: UTC weeks hold whole UTC days
      expect((await engine.stats.forReferrer(creator, ctx)).total).toBe(10_000);
    } finally {
      await engine.destroy();
    }
  });
});
