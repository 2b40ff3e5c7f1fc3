import { describe, expect, it } from 'vitest';
import { serverBuild } from '../../bench/server-build.js';
import { useTestDatabase } from '../harness/database.js';

/** Needs a real mongod: fails against the wire test server, by design. */
const db = useTestDatabase();

describe('the bench on a real mongod', () => {
  it('labels its figures as mongod’s', async () => {
    const build = await serverBuild(db.connection);
    expect(build.mongod).toBe(true);
    expect(build.gitVersion).toMatch(/^[0-9a-f]{40}$/);
  });
});
