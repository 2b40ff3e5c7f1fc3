import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import mongoose from 'mongoose';
import { describe, expect, inject, it } from 'vitest';

/** The README quick start is examples/quickstart.ts, verbatim (tests/unit/readme.test.ts); here it runs. */
describe('README quick start', () => {
  it('runs as written and leaves an approved referral', async () => {
    const dbName = `rf_quickstart_${randomBytes(4).toString('hex')}`;
    const uri = inject('mongoUri');
    process.env.MONGODB_URI = uri.replace(/\/?(\?|$)/, `/${dbName}$1`);
    const printed: unknown[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => void printed.push(...args);
    try {
      await import('../../examples/quickstart.js');
    } finally {
      console.log = log;
    }
    expect(printed).toEqual(['approved']);
    const check = await mongoose.createConnection(uri, { dbName }).asPromise();
    const [referral] = await check.collection('referrals').find({}).toArray();
    expect(referral).toMatchObject({ status: 'approved', refereeModel: 'user', sourceModel: 'Order' });
    expect(readFileSync(new URL('../../examples/quickstart.ts', import.meta.url), 'utf8')).toContain("from '@classytic/referral'");
    await check.dropDatabase();
    await check.close();
  });
});
