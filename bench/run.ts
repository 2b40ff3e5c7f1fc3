import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { benchAttribution } from './attribution.js';
import { benchHeap } from './heap.js';
import { benchListing } from './listing.js';
import { benchRoundTrips } from './round-trips.js';
import { startMongo } from '../examples/support/start-mongo.js';
import { printTable } from './stats.js';

/** `npm run bench`: prints every figure as tables and writes them to bench/results/latest.json. */
const main = async () => {
  const server = await startMongo();
  const dbName = `rf_bench_${Date.now()}`;
  const open = (options: mongoose.ConnectOptions = {}) => mongoose.createConnection(server.uri, { dbName, autoIndex: false, autoCreate: false, maxPoolSize: 100, ...options }).asPromise();
  const connection = await open();
  try {
    console.log(`@classytic/referral bench on ${server.kind}; node ${process.version}`);
    const attribution = await benchAttribution(connection);
    printTable('attributeSale throughput and latency', attribution.rows);
    printTable('library time / raw driver time at concurrency 1', Object.entries(attribution.ratioAtConcurrency1).map(([case_, ratio]) => ({ case: case_, ratio })));

    const roundTrips = await benchRoundTrips(() => open({ monitorCommands: true }));
    printTable('round trips per operation (commands awaited by the caller)', roundTrips.rows);
    console.log(`acknowledgement writes per new sale (batched, amortized over 500 sequential sales): ${roundTrips.acksPerNewSale}`);

    const listing = await benchListing(connection);
    printTable('listForReferrer page latency (limit 20)', listing);

    const heap = await benchHeap(connection);
    printTable('heap of this process (MiB, after gc)', [heap]);

    const results = { generatedAt: new Date().toISOString(), server: server.kind, node: process.version, attribution, roundTrips, listing, heap };
    const dir = join(import.meta.dirname, 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log('\nJSON: bench/results/latest.json');
  } finally {
    await connection.dropDatabase().catch(() => {});
    await connection.close();
    await server.stop();
  }
};

await main();
