import { describe, expect, it } from 'vitest';
import { describeServer, serverBuildOf } from '../../bench/server-build.js';

describe('the bench names the server its figures came from', () => {
  it('recognizes mongod by the gitVersion its buildInfo always carries', () => {
    // The shape of a mongod buildInfo reply (abridged; the revision is illustrative).
    const build = serverBuildOf({
      version: '8.0.4',
      gitVersion: 'bc35ab4305d9920d9d2d1ae9bba3d3e5f2f9a58b',
      modules: [],
      allocator: 'tcmalloc',
      bits: 64,
      ok: 1,
    });
    expect(build).toEqual({ mongod: true, version: '8.0.4', gitVersion: 'bc35ab4305d9920d9d2d1ae9bba3d3e5f2f9a58b' });
    expect(describeServer(build)).toBe('mongod 8.0.4 (git bc35ab4305d9)');
  });

  it('says a server without a gitVersion is not mongod, whatever version it reports', () => {
    // The wire test server's whole buildInfo reply.
    const build = serverBuildOf({ version: '7.0.0', versionArray: [7, 0, 0, 0], maxBsonObjectSize: 16 * 1024 * 1024, bits: 64, ok: 1 });
    expect(build).toEqual({ mongod: false, version: '7.0.0', gitVersion: null });
    expect(describeServer(build)).toMatch(/^not mongod: buildInfo reports 7\.0\.0/);
    expect(serverBuildOf({ gitVersion: '' }).mongod).toBe(false);
    expect(serverBuildOf({}).version).toBe('unknown');
  });
});
