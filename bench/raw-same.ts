import { randomUUID } from 'node:crypto';
import { type Connection, Types } from 'mongoose';

/**
 * The raw driver sending what a default engine sends for a new sale through a cached code: the
 * undecided upsert (a record of the same fields, its event stored compact), the fence's read (the
 * code projected, its referrer's standing looked up), the deciding write, and one
 * acknowledgement `updateMany` per 10 sales. A replay is the upsert alone, as the library's.
 * What the library costs beyond it is its own cost.
 */
export const rawSameCommands = async (connection: Connection, organizationId: Types.ObjectId) => {
  const db = connection.db!;
  const prefix = `raw_same_${Date.now()}_`;
  const [codes, referrals, referrers] = [db.collection(`${prefix}codes`), db.collection(`${prefix}referrals`), db.collection(`${prefix}referrers`)];
  await referrals.createIndex({ organizationId: 1, sourceModel: 1, sourceRef: 1 }, { unique: true, partialFilterExpression: { deletedAt: null } });
  await referrers.createIndex({ organizationId: 1, referrerRef: 1, referrerModel: 1 }, { unique: true });
  const codeId = new Types.ObjectId();
  const ownerRef = new Types.ObjectId();
  await codes.insertOne({ _id: codeId, organizationId, code: 'RAWSAME2', ownerRef, ownerModel: 'user', active: true, deletedAt: null, conversions: 0 });
  const unacknowledged: Types.ObjectId[] = [];
  const upsert = (sourceRef: Types.ObjectId, refereeRef: Types.ObjectId, _id: Types.ObjectId, now: Date) =>
    referrals.findOneAndUpdate(
      { organizationId, sourceModel: 'Order', sourceRef, deletedAt: null },
      {
        $setOnInsert: {
          _id,
          referrerRef: ownerRef,
          referrerModel: 'user',
          refereeRef,
          refereeModel: 'user',
          code: 'RAWSAME2',
          amount: 4999,
          currency: 'USD',
          metadata: null,
          codeId,
          status: 'converted',
          approvals: null,
          review: null,
          attribution: { rule: 'code' },
          decisions: [],
          version: 0,
          convertedAt: now,
          decidedAt: null,
          createdAt: now,
          updatedAt: now,
          outbox: [{ type: 'referral:converted', meta: { id: randomUUID() } }],
          deletedAt: now,
          unconfirmedAt: now,
        },
      },
      { upsert: true, returnDocument: 'before', includeResultMetadata: true },
    );
  const sale = async (sourceRef: Types.ObjectId, refereeRef: Types.ObjectId) => {
    const _id = new Types.ObjectId();
    const now = new Date();
    const result = await upsert(sourceRef, refereeRef, _id, now);
    if (result.lastErrorObject?.upserted === undefined) return result.value;
    const standing = { organizationId, referrerRef: ownerRef, referrerModel: 'user', suspendedAt: { $ne: null } };
    await codes
      .aggregate([
        { $match: { organizationId, _id: codeId, deletedAt: null } },
        { $project: { _id: 0, active: 1, ownerRef: 1, expiresAt: 1, maxConversions: 1, conversions: 1 } },
        { $lookup: { from: referrers.collectionName, pipeline: [{ $match: standing }, { $project: { _id: 1 } }, { $limit: 1 }], as: 'suspended' } },
      ])
      .toArray();
    await referrals.updateOne(
      { organizationId, _id, unconfirmedAt: { $exists: true }, erasedAt: { $exists: false }, referrerErasedAt: { $exists: false } },
      { $set: { deletedAt: null, pendingEventsAt: now }, $unset: { unconfirmedAt: '' } },
    );
    unacknowledged.push(_id);
    if (unacknowledged.length >= 10) {
      const ids = unacknowledged.splice(0);
      await referrals.updateMany({ organizationId, _id: { $in: ids } }, { $unset: { outbox: '', pendingEventsAt: '' } });
    }
    return null;
  };
  return { sale, clear: () => referrals.deleteMany({}) };
};
