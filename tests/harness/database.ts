import { randomBytes } from 'node:crypto';
import mongoose, { type Connection, type ConnectOptions } from 'mongoose';
import { afterAll, beforeAll, inject } from 'vitest';

/** Engines created by a test file; destroyed (flushing their acks) before its connection closes. */
const liveEngines = new Set<{ destroy(): Promise<void> }>();
export const destroyAfterFile = (engine: { destroy(): Promise<void> }): void => void liveEngines.add(engine);

export interface TestDatabase {
  /** Available inside tests and hooks (after beforeAll ran). */
  readonly connection: Connection;
  readonly uri: string;
  /** Opens an extra connection to the same database (multi-connection race tests, command monitoring). */
  openConnection(options?: ConnectOptions): Promise<Connection>;
}

/**
 * Gives the calling test file its own database on the shared server, so files run in
 * parallel without seeing each other's data. Dropped and closed after the file.
 */
export const useTestDatabase = (): TestDatabase => {
  const dbName = `rf_test_${randomBytes(6).toString('hex')}`;
  const uri = inject('mongoUri');
  const extra: Connection[] = [];
  let connection: Connection | undefined;

  beforeAll(async () => {
    connection = await mongoose.createConnection(uri, { dbName, autoIndex: false, autoCreate: false }).asPromise();
  });

  afterAll(async () => {
    for (const engine of liveEngines) await engine.destroy();
    liveEngines.clear();
    for (const other of extra) await other.close();
    if (connection) {
      await connection.dropDatabase();
      await connection.close();
    }
  });

  return {
    uri,
    get connection(): Connection {
      if (!connection) throw new Error('useTestDatabase(): the connection opens in beforeAll');
      return connection;
    },
    async openConnection(options: ConnectOptions = {}) {
      const other = await mongoose.createConnection(uri, { dbName, autoIndex: false, autoCreate: false, ...options }).asPromise();
      extra.push(other);
      return other;
    },
  };
};
