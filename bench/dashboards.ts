import { type Connection, type mongo, Types } from 'mongoose';
import { createReferral } from '../src/index.js';
import { examinedBy } from '../tests/harness/examined.js';
import { storedReferral } from './stored-referral.js';

export interface DashboardRow {
  referrals: number;
  dashboard: string;
  /** The first read computes every day's rollup (no watermark yet); a steady read finds them stored. */
  read: 'first' | 'steady';
  commands: number;
  keysExamined: number;
  docsExamined: number;
}

const DAY = 86_400_000;
const PER_DAY = 50;

/** One creator's referrals, `PER_DAY` a day going back from today, written directly in the stored shape. */
const seed = async (collection: mongo.Collection, organizationId: Types.ObjectId, referrerRef: Types.ObjectId, count: number) => {
  const now = Date.now();
  for (let start = 0; start < count; start += 1_000) {
    const docs = Array.from({ length: Math.min(1_000, count - start) }, (_, i) => {
      const at = new Date(now - Math.floor((start + i) / PER_DAY) * DAY - 1_000);
      // Stamped as the engine leaves a record it wrote: when it changed last, here when it was recorded.
      return storedReferral(organizationId, referrerRef, at, {
        status: (start + i) % 3 === 0 ? 'approved' : 'converted',
        amount: 4999,
        currency: 'USD',
        changedAt: at,
      });
    });
    await collection.insertMany(docs);
  }
};

/**
 * How the dashboards grow with a creator's history: for `sizes` referrals of one creator (50 a day),
 * the index keys and documents the server examines for `stats.forReferrer`, a 30-day `stats.funnel`,
 * a 30-day leaderboard and 30-day time series (UTC days, Kolkata days), on the first read (which computes every day's rollup) and on the next
 * (steady: the rollups are stored), from its own explain of each command the verb sent (`monitored`
 * is opened with `monitorCommands: true`). The engine's default grace applies.
 */
export const benchDashboards = async (monitored: Connection, sizes: readonly number[]): Promise<DashboardRow[]> => {
  const rows: DashboardRow[] = [];
  for (const count of sizes) {
    const engine = await createReferral({ connection: monitored, collectionPrefix: `bench_dash_${count}_${Date.now()}_`, logger: null });
    await engine.syncIndexes();
    const organizationId = new Types.ObjectId();
    const ctx = { organizationId };
    const creator = new Types.ObjectId();
    await seed(engine.models.Referral.collection as unknown as mongo.Collection, organizationId, creator, count);
    const window = { from: new Date(Date.now() - 30 * DAY), to: new Date(Date.now() + 60_000) };
    const dashboards: [string, () => Promise<unknown>][] = [
      ['stats.forReferrer', () => engine.stats.forReferrer(creator, ctx)],
      ['stats.funnel, 30 days', () => engine.stats.funnel({ referrerRef: creator, ...window }, ctx)],
      ['stats.leaderboard, 30 days', () => engine.stats.leaderboard(window, ctx)],
      ['stats.timeseries, 30 days by UTC day', () => engine.stats.timeseries({ referrerRef: creator, ...window }, ctx)],
      // Kolkata's midnight is not UTC's: every UTC day is cut by a bucket boundary, so the window's records are read.
      ['stats.timeseries, 30 days by Kolkata day', () => engine.stats.timeseries({ referrerRef: creator, ...window, timezone: 'Asia/Kolkata' }, ctx)],
    ];
    for (const read of ['first', 'steady'] as const)
      for (const [dashboard, call] of dashboards) rows.push({ referrals: count, dashboard, read, ...(await examinedBy(monitored, call)) });
    await engine.models.Referral.collection.drop();
    await engine.models.ReferralRollup.collection.drop();
    await engine.destroy();
  }
  return rows;
};
