import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { exitWithoutMongoDB, quietly } from './no-mongodb.js';

export interface StartedMongo {
  uri: string;
  /** Which server answered: figures from the wire test server are not mongod's. */
  kind: 'MONGODB_URI' | 'mongodb-memory-server' | 'mongo-wire test server';
  stop(): Promise<void>;
}

/**
 * A MongoDB for the tests, the demo and the bench: MONGODB_URI, else mongodb-memory-server (a real
 * mongod, downloaded on first use), else the offline wire test server in ../shared/mongo-wire for
 * machines that cannot download mongod. `command` (`npm test`, `npm run demo`) is named in the hint when there is none.
 */
export const startMongo = async (command: string): Promise<StartedMongo> => {
  if (process.env.MONGODB_URI) return { uri: process.env.MONGODB_URI, kind: 'MONGODB_URI', stop: async () => {} };
  try {
    const { MongoMemoryReplSet } = await import('mongodb-memory-server');
    const replSet = await quietly(() => MongoMemoryReplSet.create({ replSet: { count: 1, storageEngine: 'wiredTiger' } }));
    return { uri: replSet.getUri(), kind: 'mongodb-memory-server', stop: async () => void (await replSet.stop()) };
  } catch (error) {
    const launcher = join(import.meta.dirname, '../../../shared/mongo-wire/launch.sh');
    // Outside this repository's workplace there is no test server to fall back to: say how to get a MongoDB.
    if (!existsSync(launcher)) return exitWithoutMongoDB(error, command);
    console.log(`(mongodb-memory-server could not start: ${(error as Error).message.split('\n')[0]}; using the offline mongo-wire test server)`);
    const launched = spawnSync('bash', [launcher], { encoding: 'utf8' });
    const uri = /MONGODB_URI='([^']+)'/.exec(launched.stdout)?.[1];
    const pid = Number(/MONGO_WIRE_PID=(\d+)/.exec(launched.stdout)?.[1]);
    if (!uri || !pid) throw new Error(`mongo-wire did not start: ${launched.stderr}`);
    return { uri, kind: 'mongo-wire test server', stop: async () => void process.kill(pid, 'SIGTERM') };
  }
};
