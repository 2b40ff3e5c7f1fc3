import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { noMongoDBMessage } from '../../examples/support/no-mongodb.js';

const root = join(import.meta.dirname, '../..');

describe('finding a MongoDB without MONGODB_URI (npm test, the demo and the bench alike)', () => {
  it('falls back to ../shared/mongo-wire when mongodb-memory-server cannot start a mongod, and the server answers', () => {
    expect(existsSync(join(root, '../shared/mongo-wire/launch.sh'))).toBe(true); // the precondition: this workplace's test server
    const script = [
      "import { startMongo } from './examples/support/start-mongo.ts';",
      "import mongoose from 'mongoose';",
      "const mongo = await startMongo('npm test');",
      'const connection = await mongoose.createConnection(mongo.uri).asPromise();',
      'const pong = await connection.db.admin().command({ ping: 1 });',
      'console.log(JSON.stringify({ kind: mongo.kind, ok: pong.ok }));',
      'await connection.close(); await mongo.stop();',
    ].join('\n');
    const { MONGODB_URI: _given, ...env } = process.env;
    // A mongod that cannot exist: mongodb-memory-server fails at once, as it does on a machine that cannot download one.
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      env: { ...env, MONGOMS_SYSTEM_BINARY: '/nonexistent/mongod' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stdout).toContain('using the offline mongo-wire test server');
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({ kind: 'mongo-wire test server', ok: 1 });
  });

  it('with no server to fall back to, the hint names the command the user ran', () => {
    const demo = noMongoDBMessage(new Error('no mongod'), 'npm run demo');
    expect(demo).toContain("directConnection=true' npm run demo");
    expect(demo).not.toContain('npm test');
    expect(noMongoDBMessage(new Error('no mongod'), 'npm test')).toContain("directConnection=true' npm test");
  });
});
