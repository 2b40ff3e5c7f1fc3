import { type Connection, Types } from 'mongoose';
import { createReferral } from '../src/index.js';
import { encodeCursor } from '../src/store/keyset-page.js';
import { type LatencySummary, measure } from './stats.js';
import { storedReferral } from './stored-referral.js';

export interface ListingRow extends LatencySummary {
  referrals: number;
  page: string;
}

const BATCH = 5_000;

/**
 * listForReferrer page latency for a referrer with each of `sizes` referrals, on the
 * first page and on a page 90% deep: keyset pagination should not grow with depth or size.
 */
export const benchListing = async (connection: Connection, sizes: readonly number[]): Promise<ListingRow[]> => {
  const engine = await createReferral({ connection, collectionPrefix: 'bench_list_' });
  await engine.syncIndexes();
  const organizationId = new Types.ObjectId();
  const ctx = { organizationId };
  const rows: ListingRow[] = [];
  for (const size of sizes) {
    const referrerRef = new Types.ObjectId();
    const base = Date.now() - size * 1_000;
    for (let offset = 0; offset < size; offset += BATCH) {
      const docs = Array.from({ length: Math.min(BATCH, size - offset) }, (_, i) =>
        storedReferral(organizationId, referrerRef, new Date(base + (offset + i) * 1_000)),
      );
      await engine.models.Referral.collection.insertMany(docs, { ordered: false });
    }
    // The item 90% of the way down (newest first) is the position of the deep page.
    const deep = await engine.models.Referral.collection
      .find({ organizationId, referrerRef }, { sort: { createdAt: -1, _id: -1 }, skip: Math.floor(size * 0.9), limit: 1, projection: { createdAt: 1 } })
      .next();
    const after = encodeCursor({ at: deep?.createdAt as Date, id: deep?._id as Types.ObjectId });
    rows.push({
      referrals: size,
      page: 'first',
      ...(await measure(200, 1, () => engine.repositories.referral.listForReferrer(referrerRef, { limit: 20 }, ctx))),
    });
    rows.push({
      referrals: size,
      page: '90% deep',
      ...(await measure(200, 1, () => engine.repositories.referral.listForReferrer(referrerRef, { limit: 20, after }, ctx))),
    });
  }
  await engine.destroy();
  return rows;
};
