/**
 * `npm run demo:web`: the referral dashboard example on http://127.0.0.1:3100 (PORT to change it),
 * on MONGODB_URI, else an embedded MongoDB, else the offline test server.
 */
import mongoose from 'mongoose';
import { shutdownOnSignal } from '../support/shutdown.js';
import { startMongo } from '../support/start-mongo.js';
import { createDashboardApp } from './app.js';
import { createDashboardEngine, demoCreator, MANAGER } from './engine.js';

const ORGANIZATION = '665f00000000000000000001';
const CREATOR = '665f000000000000000000a1';

const mongo = await startMongo('npm run demo:web');
const connection = await mongoose.createConnection(mongo.uri, { dbName: 'referral_dashboard_example' }).asPromise();
const referral = await createDashboardEngine(connection);
const { code } = await demoCreator(referral, ORGANIZATION, CREATOR);
const relay = referral.events.startRelay({ intervalMs: 5_000 });

const port = Number(process.env.PORT ?? 3100);
const app = createDashboardApp(referral, { organizationId: ORGANIZATION, defaultCreator: CREATOR, manager: MANAGER });
const server = app.listen(port, '127.0.0.1', () => {
  const base = `http://127.0.0.1:${port}`;
  console.log(`Referral dashboard example (MongoDB: ${mongo.kind})`);
  console.log(`  1. Visit the creator's link:  ${base}/?ref=${code}`);
  console.log('  2. Sign up, then buy on the shop page');
  console.log(`  3. The creator's dashboard:   ${base}/creator/${CREATOR}`);
  console.log(`  4. Approve the sale:          ${base}/manager`);
});

shutdownOnSignal({ server, stopRelay: relay, referral, connection, mongo });
