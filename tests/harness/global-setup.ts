import type { TestProject } from 'vitest/node';
import { exitWithoutMongoDB, quietly } from '../../examples/support/no-mongodb.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
  }
}

/**
 * One MongoDB for the whole integration run: MONGODB_URI when set (CI, a real server), else a
 * single-node mongodb-memory-server replica set so sessions and transactions work.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.MONGODB_URI;
  if (given) {
    project.provide('mongoUri', given);
    return async () => {};
  }
  const { MongoMemoryReplSet } = await import('mongodb-memory-server');
  const replSet = await quietly(() => MongoMemoryReplSet.create({ replSet: { count: 1, storageEngine: 'wiredTiger' } })).catch(exitWithoutMongoDB);
  project.provide('mongoUri', replSet.getUri());
  return async () => {
    await replSet.stop();
  };
}
