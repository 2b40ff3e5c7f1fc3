import type { Server } from 'node:http';
import type { Connection } from 'mongoose';
import type { ReferralEngine } from '../../src/index.js';
import type { StartedMongo } from './start-mongo.js';

/** On SIGINT or SIGTERM: stop taking requests and the relay, then close the engine, the connection and the MongoDB the example started. */
export const shutdownOnSignal = (parts: { server: Server; stopRelay: () => void; referral: ReferralEngine; connection: Connection; mongo: StartedMongo }) => {
  const shutdown = async () => {
    parts.server.close();
    parts.stopRelay();
    await parts.referral.destroy();
    await parts.connection.close();
    await parts.mongo.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
};
