import { type Connection, type mongo, Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { storedReferral } from '../../bench/stored-referral.js';
import type { ReferralEngine, Timeseries } from '../../src/index.js';
import { commandCounter } from '../harness/command-counter.js';
import { dashboardOracle } from '../harness/dashboard-oracle.js';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();

const DAY = 86_400_000;
const today = () => Math.floor(Date.now() / DAY) * DAY;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A small, seeded pseudo-random sequence, so a failing history can be replayed. */
const sequence = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};

/** Legacy history written before any rollup existed (no change stamp): 30 days of three referrers (one ref under two models). */
const seedHistory = async (engine: ReferralEngine, organizationId: Types.ObjectId, referrers: Types.ObjectId[], random: () => number) => {
  const docs = Array.from({ length: 240 }, (_, i) => {
    const referrer = referrers[i % referrers.length] as Types.ObjectId;
    const at = new Date(today() - Math.floor(random() * 30) * DAY + Math.floor(random() * DAY) - DAY / 2);
    const currency = random() < 0.3 ? 'EUR' : 'USD';
    const amount = random() < 0.1 ? null : random() < 0.1 ? 0 : 100 + Math.floor(random() * 9_900);
    const status = random() < 0.2 ? 'approved' : random() < 0.1 ? 'rejected' : 'converted';
    return {
      ...storedReferral(organizationId, referrer, at, { status, amount, currency: amount === null ? null : currency }),
      referrerModel: i % 7 === 0 ? 'partner' : 'user',
    };
  });
  await engine.models.Referral.collection.insertMany(docs as never[]);
  return docs;
};

const dashboards = async (engine: ReferralEngine, ctx: { organizationId: string }, referrers: Types.ObjectId[]) => {
  const window = { from: new Date(today() - 20 * DAY - 3_600_000), to: new Date(Date.now() + 60_000) };
  const aligned = { from: new Date(today() - 10 * DAY), to: new Date(today()) };
  return {
    forReferrer: await Promise.all(referrers.map((ref) => engine.stats.forReferrer(ref, ctx))),
    funnel: await Promise.all(referrers.map((ref) => engine.stats.funnel({ referrerRef: ref, ...window }, ctx))),
    funnelAligned: await Promise.all(referrers.map((ref) => engine.stats.funnel({ referrerRef: ref, referrerModel: 'partner', ...aligned }, ctx))),
    leaderboard: await engine.stats.leaderboard({ ...window, limit: 100 }, ctx),
    series: await Promise.all(referrers.map((ref) => engine.stats.timeseries({ referrerRef: ref, ...window }, ctx))),
    // Kolkata's days start at 18:30 UTC, so every week boundary cuts a UTC day's rollup; New York's months move with DST.
    weekly: await Promise.all(
      referrers.map((ref) => engine.stats.timeseries({ referrerRef: ref, ...window, interval: 'week', timezone: 'Asia/Kolkata' }, ctx)),
    ),
    monthly: await Promise.all(
      referrers.map((ref) =>
        engine.stats.timeseries({ referrerRef: ref, referrerModel: 'partner', ...aligned, interval: 'month', timezone: 'America/New_York' }, ctx),
      ),
    ),
    leaderboardEur: await engine.stats.leaderboard({ ...aligned, currency: 'EUR', statuses: ['converted', 'approved', 'reversed'], limit: 100 }, ctx),
    window,
    aligned,
  };
};

/** Every dashboard equals what the records themselves say now, computed independently in JavaScript. */
const expectExact = async (engine: ReferralEngine, ctx: { organizationId: string }, referrers: Types.ObjectId[]) => {
  const seen = await dashboards(engine, ctx, referrers);
  const oracle = await dashboardOracle(engine, ctx);
  expect(seen.forReferrer).toEqual(referrers.map((ref) => oracle.forReferrer(ref)));
  expect(seen.funnel.map(({ visits: _v, uniqueVisitors: _u, rates: _r, ...rest }) => rest)).toEqual(
    referrers.map((ref) => oracle.funnel(ref, 'user', seen.window)),
  );
  expect(seen.funnelAligned.map(({ visits: _v, uniqueVisitors: _u, rates: _r, ...rest }) => rest)).toEqual(
    referrers.map((ref) => oracle.funnel(ref, 'partner', seen.aligned)),
  );
  expect(seen.leaderboard).toEqual(oracle.leaderboard(seen.window, ['converted', 'approved'], undefined));
  const counted = (series: Timeseries) => series.buckets.map(({ visits: _v, uniqueVisitors: _u, ...rest }) => rest);
  const starts = (series: Timeseries) => series.buckets.map((bucket) => bucket.start);
  expect(seen.series.map(counted)).toEqual(
    seen.series.map((series, i) => oracle.timeseries(referrers[i] as Types.ObjectId, 'user', seen.window, starts(series))),
  );
  expect(seen.weekly.map(counted)).toEqual(
    seen.weekly.map((series, i) => oracle.timeseries(referrers[i] as Types.ObjectId, 'user', seen.window, starts(series))),
  );
  expect(seen.monthly.map(counted)).toEqual(
    seen.monthly.map((series, i) => oracle.timeseries(referrers[i] as Types.ObjectId, 'partner', seen.aligned, starts(series))),
  );
  const utcDays = Math.ceil(seen.window.to.getTime() / DAY) - Math.floor(seen.window.from.getTime() / DAY);
  expect(seen.series.map((series) => series.buckets.length)).toEqual(referrers.map(() => utcDays)); // zero-filled
  expect(seen.leaderboardEur).toEqual(oracle.leaderboard(seen.aligned, ['converted', 'approved', 'reversed'], 'EUR'));
};

describe('dashboards read per-day rollups, exact after every kind of change', () => {
  it('equal the records after a backfill, approvals, rejections, refunds, new sales, leads, backdated signups and erasure; stored rollups never drift', async () => {
    const { engine } = await createTestEngine(db.connection, { attribution: { leads: true }, stats: { graceMs: 1 } });
    const ctx = newTenantContext();
    const organizationId = new Types.ObjectId(ctx.organizationId);
    const random = sequence(20261202);
    const [alice, bob, carol] = [oid(), oid(), oid()];
    const referrers = [alice, bob, carol];
    await seedHistory(engine, organizationId, referrers, random);
    await expectExact(engine, ctx, referrers); // the first read computes every day (no watermark yet)

    const { code } = await engine.repositories.referralCode.generateCode(alice, 'user', ctx);
    const referee = oid();
    await engine.attributeSignup({ code, refereeRef: referee, refereeModel: 'user', signedUpAt: new Date(today() - 12 * DAY) }, ctx);
    await engine.attributeSignup({ code, refereeRef: oid(), refereeModel: 'user', signedUpAt: new Date(today() - 3 * DAY) }, ctx);
    const ids = await engine.models.Referral.collection.find({ organizationId, status: 'converted' }, { projection: { _id: 1, amount: 1 } }).toArray();
    for (const [i, doc] of ids.slice(0, 30).entries()) {
      if (i % 3 === 0) await engine.repositories.referral.approve(String(doc._id), { decidedBy: 'ops' }, ctx);
      else if (i % 3 === 1) await engine.repositories.referral.reject(String(doc._id), { decidedBy: 'ops', reason: 'fraud' }, ctx);
      else if (typeof doc.amount === 'number' && doc.amount > 0)
        await engine.repositories.referral.reverse(
          String(doc._id),
          { reason: 'refund', refundKey: `r-${i}`, amount: 1 + (doc.amount >> 1), currency: await currencyOf(engine, doc._id) },
          ctx,
        );
    }
    await expectExact(engine, ctx, referrers);

    const sale = { code, refereeModel: 'user', sourceModel: 'Order', amount: 2500, currency: 'USD' };
    await engine.attributeSale({ ...sale, refereeRef: referee, sourceRef: oid() }, ctx); // the backdated lead converts
    await engine.attributeSale({ ...sale, refereeRef: oid(), sourceRef: oid(), amount: 0 }, ctx);
    await expectExact(engine, ctx, referrers);
    await pause(20); // past the grace: the watermark now passes every change above
    await expectExact(engine, ctx, referrers);
    await expectStoredRollupsExact(engine, ctx);

    await engine.repositories.referralCode.eraseOwner(bob, 'user', ctx);
    await expectExact(engine, ctx, referrers);
    // Bob is erased as a 'user' referrer; his 'partner' referrals (another referrer) keep their ref, and so do their rollups.
    const left = await engine.models.ReferralRollup.collection.find({ referrerRef: bob }).toArray();
    expect(left.length).toBeGreaterThan(0);
    expect(left.every((rollup) => rollup.referrerModel === 'partner' || (rollup.referrerModel === null && rollup.day === null))).toBe(true);
    expect(await engine.models.ReferralRollup.collection.countDocuments({ referrerRef: alice, referrerModel: 'user' })).toBeGreaterThan(0);
  });

  it('once caught up, a read sends only the watermark and two change scans: no scan of the referrer’s history', async () => {
    const connection: Connection = await db.openConnection({ monitorCommands: true });
    const { engine } = await createTestEngine(connection, { stats: { graceMs: 1 } });
    const counter = commandCounter(connection);
    const ctx = newTenantContext();
    const alice = oid();
    await seedHistory(engine, new Types.ObjectId(ctx.organizationId), [alice], sequence(7));
    await engine.stats.forReferrer(alice, ctx);
    await pause(20);
    await engine.stats.forReferrer(alice, ctx); // advances the watermark past the backfill
    const { commands } = await counter.during(() => engine.stats.forReferrer(alice, ctx));
    expect(commands).toEqual(['find', 'aggregate', 'aggregate']);
  });

  it('reads racing writes on two engines: after the writes stop, every dashboard and every stored rollup equals the records', async () => {
    const other = await db.openConnection();
    const first = await createTestEngine(db.connection, { stats: { graceMs: 5 } });
    const second = await createTestEngine(other, {
      collectionPrefix: first.engine.models.Referral.collection.collectionName.replace('referrals', ''),
      stats: { graceMs: 5 },
    });
    const ctx = newTenantContext();
    const [alice, bob] = [oid(), oid()];
    const codes = await Promise.all([alice, bob].map(async (owner) => (await first.engine.repositories.referralCode.generateCode(owner, 'user', ctx)).code));
    const engines = [first.engine, second.engine];
    let reads = 0;
    const writers = Array.from({ length: 6 }, async (_, w) => {
      for (let i = 0; i < 12; i++) {
        const engine = engines[(w + i) % 2] as ReferralEngine;
        const r = await engine.attributeSale(
          { code: codes[i % 2] as string, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order', amount: 100 + i, currency: 'USD' },
          ctx,
        );
        if (r && i % 3 === 0) await engine.repositories.referral.approve(String(r._id), { decidedBy: 'ops' }, ctx);
        if (r && i % 4 === 1) await engine.repositories.referral.reverse(String(r._id), { reason: 'refund', refundKey: `k${w}-${i}` }, ctx);
      }
    });
    const readers = Array.from({ length: 4 }, async (_, r) => {
      for (let i = 0; i < 15; i++) {
        const engine = engines[(r + i) % 2] as ReferralEngine;
        await engine.stats.forReferrer(i % 2 ? alice : bob, ctx);
        await engine.stats.leaderboard({ from: new Date(today() - DAY), to: new Date(Date.now() + DAY) }, ctx);
        reads++;
      }
    });
    await Promise.all([...writers, ...readers]);
    expect(reads).toBe(60);
    await pause(30);
    await expectExact(first.engine, ctx, [alice, bob]);
    await expectStoredRollupsExact(first.engine, ctx);
    await expectExact(second.engine, ctx, [alice, bob]);
  });
});

describe('erasure and the rollups', () => {
  it('a read that computed a day before eraseOwner and stores it after leaves the erased ref nowhere', async () => {
    const other = await db.openConnection();
    const first = await createTestEngine(db.connection, { stats: { graceMs: 1 } });
    const prefix = first.engine.models.Referral.collection.collectionName.replace('referrals', '');
    const second = await createTestEngine(other, { collectionPrefix: prefix, stats: { graceMs: 1 } });
    const ctx = newTenantContext();
    const owner = oid();
    const history = Array.from({ length: 12 }, (_, i) =>
      storedReferral(new Types.ObjectId(ctx.organizationId), owner, new Date(today() - (i % 4) * DAY - 1_000)),
    );
    await first.engine.models.Referral.collection.insertMany(history as never[]);
    // The reading engine's rollup writes wait at a gate (timing only: each then runs as sent), so erasure runs between its compute and its store.
    const native = (second.engine.models.ReferralRollup.collection as unknown as { collection: mongo.Collection }).collection;
    const bulkWrite = native.bulkWrite.bind(native);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let held = 0;
    native.bulkWrite = (async (...args: Parameters<typeof bulkWrite>) => {
      held++;
      await gate;
      return bulkWrite(...args);
    }) as typeof native.bulkWrite;
    const read = second.engine.stats.forReferrer(owner, ctx);
    while (held === 0) await pause(2);
    await first.engine.repositories.referralCode.eraseOwner(owner, 'user', ctx);
    open();
    expect((await read).total).toBe(12); // computed before the erasure: what the records said then
    native.bulkWrite = bulkWrite;
    const everything = await Promise.all(Object.values(first.engine.models).map((model) => model.collection.find({}).toArray()));
    expect(JSON.stringify(everything)).not.toContain(owner.toHexString());
  });

  it('dashboard reads racing eraseOwner leave the erased ref in no collection (10 rounds, two engines)', async () => {
    const other = await db.openConnection();
    const first = await createTestEngine(db.connection, { stats: { graceMs: 1 } });
    const prefix = first.engine.models.Referral.collection.collectionName.replace('referrals', '');
    const second = await createTestEngine(other, { collectionPrefix: prefix, stats: { graceMs: 1 } });
    for (let round = 0; round < 10; round++) {
      const ctx = newTenantContext();
      const owner = oid();
      const history = Array.from({ length: 30 }, (_, i) =>
        storedReferral(new Types.ObjectId(ctx.organizationId), owner, new Date(today() - (i % 6) * DAY - 1_000)),
      );
      await first.engine.models.Referral.collection.insertMany(history as never[]);
      const window = { from: new Date(today() - 10 * DAY), to: new Date(Date.now() + DAY) };
      const reads = [first.engine, second.engine].flatMap((engine) => [
        engine.stats.forReferrer(owner, ctx),
        engine.stats.funnel({ referrerRef: owner, ...window }, ctx),
        engine.stats.leaderboard(window, ctx),
      ]);
      await Promise.all([...reads, first.engine.repositories.referralCode.eraseOwner(owner, 'user', ctx)]);
      const everything = await Promise.all(Object.values(first.engine.models).map((model) => model.collection.find({}).toArray()));
      expect(JSON.stringify(everything)).not.toContain(owner.toHexString());
      expect((await first.engine.stats.forReferrer(owner, ctx)).total).toBe(0);
    }
  });
});

const currencyOf = async (engine: ReferralEngine, id: unknown): Promise<string> =>
  ((await engine.models.Referral.collection.findOne({ _id: id as Types.ObjectId })) as unknown as { currency: string }).currency;

/** Each stored day rollup holds exactly what its referrer's day holds now (a drifted rollup would be read as it is). */
const expectStoredRollupsExact = async (engine: ReferralEngine, ctx: { organizationId: string }) => {
  const oracle = await dashboardOracle(engine, ctx);
  const rollups = (await engine.models.ReferralRollup.collection.find({ day: { $ne: null } }).toArray()) as mongo.Document[];
  expect(rollups.length).toBeGreaterThan(0);
  for (const rollup of rollups) {
    const day = (rollup.day as Date).getTime();
    expect({ day: new Date(day), sales: oracle.dayTotals(rollup.referrerRef, rollup.referrerModel, day) }).toEqual({
      day: new Date(day),
      sales: oracle.rowTotals(rollup.sales ?? []),
    });
  }
};
