import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, platform, release } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { startMongo } from '../examples/support/start-mongo.js';
import { benchAttribution } from './attribution.js';
import { benchCpu } from './cpu.js';
import { benchDashboards } from './dashboards.js';
import { benchDrain } from './drain.js';
import { benchHeap } from './heap.js';
import { benchListing } from './listing.js';
import { benchRoundTrips } from './round-trips.js';
import { describeServer, serverBuild } from './server-build.js';
import { printTable } from './stats.js';

/** Default run stays short; `--long` adds the 100,000-referral listing and a 100,000-conversion soak. */
const long = process.argv.includes('--long');
/** `--only <section>` runs one section (attribution, cpu, roundTrips, listing, heap, dashboards, drain). */
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const runs = (section: string) => only === undefined || only === section;
const plan = long
  ? { blocks: 10, calls: 50, warmUp: 300, listing: [1_000, 100_000], heap: { points: 20, batch: 5_000 }, drain: 100_000, dashboards: [1_000, 10_000, 100_000] }
  : { blocks: 6, calls: 40, warmUp: 300, listing: [1_000, 10_000], heap: { points: 10, batch: 2_000 }, drain: 10_000, dashboards: [1_000, 10_000] };

const machine = () => ({ cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, os: `${platform()} ${release()}`, node: process.version });

/** `npm run bench` (or `npm run bench -- --long`): prints every figure and writes bench/results/latest.json. */
const main = async () => {
  const server = await startMongo('npm run bench');
  const dbName = `rf_bench_${Date.now()}`;
  const opened: mongoose.Connection[] = [];
  const open = async (options: mongoose.ConnectOptions = {}) => {
    const connection = await mongoose.createConnection(server.uri, { dbName, autoIndex: false, autoCreate: false, maxPoolSize: 100, ...options }).asPromise();
    opened.push(connection);
    return connection;
  };
  const connection = await open();
  try {
    const build = await serverBuild(connection);
    const meta = {
      generatedAt: new Date().toISOString(),
      server: server.kind,
      serverBuild: { ...build, description: describeServer(build) },
      mode: long ? 'long' : 'default',
      ...machine(),
    };
    console.log(`@classytic/referral bench (${meta.mode}) on ${server.kind}, ${meta.serverBuild.description}; node ${meta.node}; ${meta.cores} x ${meta.cpu}`);
    const results: Record<string, unknown> = { ...meta, method: 'interleaved blocks, variant order reversed every block; percentiles over all blocks' };
    if (runs('attribution')) {
      const attribution = await benchAttribution(connection, plan);
      results.attribution = attribution;
      printTable(
        `attributeSale latency, interleaved (${plan.warmUp} new sales and ${plan.warmUp} replays per variant first, unsampled; then ${plan.blocks} blocks x ${plan.calls} calls per variant; ratio = variant / its raw-driver baseline: the upsert-only rows divide by raw's upsert alone, the others by raw's read + upsert)`,
        attribution,
      );
    }
    if (runs('cpu')) {
      const cpu = await benchCpu(connection, { blocks: 10, calls: 250, warmUp: 500 });
      results.cpu = cpu;
      printTable(
        'client CPU per attributeSale call, µs (process.cpuUsage, user + system; 10 interleaved blocks of 250 sequential calls after 500 unsampled)',
        cpu,
      );
    }
    if (runs('roundTrips')) {
      const roundTrips = await benchRoundTrips(() => open({ monitorCommands: true }));
      results.roundTrips = roundTrips;
      printTable('round trips per operation (commands awaited by the caller)', roundTrips.rows);
      printTable('footprint of a new sale (default engine, code cached, amounts given; acknowledgements included)', roundTrips.footprint);
    }
    if (runs('listing')) {
      const listing = await benchListing(connection, plan.listing);
      results.listing = listing;
      printTable('listForReferrer page latency (limit 20)', listing);
    }
    if (runs('heap')) {
      const heap = await benchHeap(connection, plan.heap);
      results.heap = heap;
      printTable('heap soak (MiB after gc; slope fitted over every point)', [heap]);
    }
    if (runs('dashboards')) {
      const dashboards = await benchDashboards(await open({ monitorCommands: true }), plan.dashboards);
      results.dashboards = dashboards;
      printTable(
        "dashboards against a creator's history (50 referrals a day; keys and documents the server examined, by its explain of each command sent; the first read computes every day's rollup, a steady read finds them stored)",
        dashboards,
      );
    }
    if (runs('drain')) {
      const drain = await benchDrain(connection, plan.drain);
      results.drain = drain;
      printTable('draining a backlog through the in-process bus (events.redeliver passes of 1,000 documents, 100 published together)', [drain]);
    }

    const dir = join(import.meta.dirname, 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, only ? `latest-${only}.json` : 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nJSON: bench/results/${only ? `latest-${only}.json` : 'latest.json'}`);
  } finally {
    await connection.dropDatabase().catch(() => {});
    // Every connection a section opened, so the process can exit.
    for (const each of opened) await each.close();
    await server.stop();
  }
};

await main();
