/**
 * Runs the checkout example: `node --import tsx examples/express-checkout/server.ts`
 * (MONGODB_URI, else an embedded MongoDB; PORT defaults to 3000, bound to 127.0.0.1).
 */
import mongoose from 'mongoose';
import { createReferral } from '../../src/index.js';
import { shutdownOnSignal } from '../support/shutdown.js';
import { startMongo } from '../support/start-mongo.js';
import { createCheckoutApp } from './app.js';

const mongo = await startMongo('node --import tsx examples/express-checkout/server.ts');
const connection = await mongoose.createConnection(mongo.uri, { dbName: 'referral_checkout_example' }).asPromise();
const referral = await createReferral({ connection });
await referral.syncIndexes();
await referral.events.subscribe('referral:*', (event) => console.log(event.type, event.meta.idempotencyKey));
const relay = referral.events.startRelay({ intervalMs: 5_000 });

const port = Number(process.env.PORT ?? 3000);
const server = createCheckoutApp(referral).listen(port, '127.0.0.1', () =>
  console.log(`checkout example on http://127.0.0.1:${port} (MongoDB: ${mongo.kind})`),
);

shutdownOnSignal({ server, stopRelay: relay, referral, connection, mongo });
