import type { TestProject } from 'vitest/node';
import { startMongo } from '../../examples/support/start-mongo.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
  }
}

/**
 * One MongoDB for the whole run, as the demo and the bench find theirs: MONGODB_URI when set (CI, a
 * real server), else a single-node mongodb-memory-server replica set (sessions and transactions
 * work), else the offline wire test server in ../shared/mongo-wire on a machine that cannot download mongod.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const mongo = await startMongo('npm test');
  project.provide('mongoUri', mongo.uri);
  return mongo.stop;
}
