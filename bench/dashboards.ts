import { type Connection, type mongo, Types } from 'mongoose';
import { createReferral } from '../src/index.js';
import { storedReferral } from './stored-referral.js';

export interface DashboardRow {
  referrals: number;
  dashboard: string;
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
    const docs = Array.from({ length: Math.min(1_000, count - start) }, (_, i) =>
      storedReferral(organizationId, referrerRef, new Date(now - Math.floor((start + i) / PER_DAY) * DAY - 1_000), {
        status: (start + i) % 3 === 0 ? 'approved' : 'converted',
        amount: 4999,
        currency: 'USD',
      }),
    );
    await collection.insertMany(docs);
  }
};

/** The keys and documents the server examined for every read `call` sent, by its own explain of each. */
const examined = async (connection: Connection, call: () => Promise<unknown>) => {
  const sent: mongo.Document[] = [];
  const listener = (event: mongo.CommandStartedEvent) => {
    if (event.commandName === 'aggregate' || event.commandName === 'find') sent.push(event.command);
  };
  const client = connection.getClient();
  client.on('commandStarted', listener);
  await call();
  client.off('commandStarted', listener);
  let keysExamined = 0;
  let docsExamined = 0;
  for (const { $db, lsid: _lsid, $clusterTime: _time, ...command } of sent) {
    const explained = await connection.getClient().db($db).command({ explain: command, verbosity: 'executionStats' });
    const stats = explained.executionStats ?? explained.stages?.[0]?.$cursor?.executionStats;
    keysExamined += stats?.totalKeysExamined ?? 0;
    docsExamined += stats?.totalDocsExamined ?? 0;
  }
  return { commands: sent.length, keysExamined, docsExamined };
};

/**
 * How the dashboards grow with a creator's history: for `sizes` referrals of one creator (50 a day),
 * the index keys and documents the server examines for `stats.forReferrer`, a 30-day `stats.funnel`
 * and a 30-day leaderboard, from its own explain of each command the verb sent (`monitored` is opened
 * with `monitorCommands: true`).
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
    ];
    for (const [dashboard, call] of dashboards) rows.push({ referrals: count, dashboard, ...(await examined(monitored, call)) });
    await engine.models.Referral.collection.drop();
    await engine.destroy();
  }
  return rows;
};
