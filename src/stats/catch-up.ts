import type { mongo } from 'mongoose';
import { aggregateAll } from '../kernel/cursor.js';
import type { Ref } from '../kernel/ids.js';
import type { CallScope } from '../store/scope.js';
import { dayRange, within } from './days.js';
import type { StatsDeps } from './deps.js';
import type { LeadRow, ReferralRollupRecord, SaleRow } from './rollup.model.js';
import { dayId, type ReferrerKey, referrerLeads, referrerSales } from './slices.js';

/** Whose rollups a catch-up brings up to date: one ref's (sales and leads, under any model), or every referrer's sales in the tenant. */
export type Subject = { referrerRef: Ref } | 'tenant';

/** One referrer's day, computed from its records by this call. */
export interface CaughtUpDay extends ReferrerKey {
  day: number;
  sales: SaleRow[];
  leads: LeadRow[];
}

/** Referrer days written at once; each is a few indexed commands. */
const PARALLEL = 8;

const refOf = (subject: Subject) => (subject === 'tenant' ? null : subject.referrerRef);

/** The watermark of `subject`: every change stamped before its `through` is in the rollups. */
export const markFilter = (scope: CallScope, subject: Subject) => scope.where({ referrerRef: refOf(subject), referrerModel: null, day: null });

type Changed = { days: { _id: { ref: Ref; model: string; day: Date } }[]; now: Date | null };

/**
 * The records changed since the watermark (all of them without one), by referrer and UTC day of the
 * date they count under, with the server's clock (`$$NOW`, fixed when the command starts, before its
 * scan): watermarks compare the server's time with the server's stamps. `$facet` answers even when nothing changed.
 */
const changedDays = async (records: mongo.Collection<mongo.Document>, scope: CallScope, match: Record<string, unknown>, dateField: string) => {
  const group = { $group: { _id: { ref: '$referrerRef', model: '$referrerModel', day: { $dateTrunc: { date: `$${dateField}`, unit: 'day' } } } } };
  // query: referral.changedByReferrer (the caller names each)
  const [changed] = await aggregateAll<Changed>(
    records,
    [{ $match: scope.where(match) }, { $facet: { days: [group] } }, { $addFields: { now: '$$NOW' } }],
    scope.options,
  );
  // A collection that does not exist answers nothing: it holds no change, and bounds no clock.
  return changed ?? { days: [], now: null };
};

/** The referrer days changed since `through`, and the server's time before either scan started. */
const dirtyDays = async (deps: StatsDeps, scope: CallScope, subject: Subject, through: Date | null) => {
  const match = { ...(subject === 'tenant' ? {} : { referrerRef: subject.referrerRef }), ...(through ? { changedAt: { $gte: through } } : {}) };
  const referrals = deps.referrals as unknown as mongo.Collection<mongo.Document>;
  const leads = deps.leads as unknown as mongo.Collection<mongo.Document>;
  // query: referral.changedSince (one ref: referral.changedByReferrer; without a watermark: referral.byReferrerAll)
  const changes = [await changedDays(referrals, scope, match, 'createdAt')];
  // query: lead.changedByReferrer (without a watermark, lead.byReferrer)
  if (subject !== 'tenant') changes.push(await changedDays(leads, scope, match, 'signedUpAt'));
  const dirty = new Map<string, CaughtUpDay>();
  for (const { _id } of changes.flatMap((change) => change.days)) {
    if (!(_id.day instanceof Date)) continue;
    const day = { referrerRef: _id.ref, referrerModel: _id.model, day: _id.day.getTime(), sales: [], leads: [] };
    dirty.set(dayId(day, day.day), day);
  }
  const clocks = changes.flatMap((change) => (change.now ? [change.now.getTime()] : []));
  return { dirty, now: new Date(clocks.length > 0 ? Math.min(...clocks) : 0) };
};

/** The day's rollup is kept only while some record of the referrer's day exists: erasure removed it for good otherwise. */
const hasRecords = async (deps: StatsDeps, scope: CallScope, key: { referrerRef: Ref; referrerModel?: string }, day?: number): Promise<boolean> => {
  const range = day === undefined ? undefined : dayRange(day);
  const projection = { projection: { _id: 1 }, ...scope.options };
  const by = { referrerRef: key.referrerRef, ...(key.referrerModel === undefined ? {} : { referrerModel: key.referrerModel }) };
  // query: referral.byReferrerCreated
  if (await deps.referrals.findOne(scope.where({ ...by, ...(range ? { createdAt: within(range) } : {}) }), projection)) return true;
  // query: lead.byReferrerSignedUp
  return (await deps.leads.findOne(scope.where({ ...by, ...(range ? { signedUpAt: within(range) } : {}) }), projection)) !== null;
};

/** Before any rollup: the first write of a day inserts it empty, so the write after it has a document to compare `asOf` with. */
const EPOCH = new Date(0);

/**
 * Stores a day unless a newer computation stored it first, in one command: an upsert on exactly the
 * unique key (MongoDB retries its insert race itself), then the conditional write. Then removes it
 * again if erasure left the day without records.
 */
const storeDay = async (deps: StatsDeps, scope: CallScope, fresh: CaughtUpDay, asOf: Date): Promise<void> => {
  const { collection } = deps.rollups;
  const key = scope.where({ referrerRef: fresh.referrerRef, referrerModel: fresh.referrerModel, day: new Date(fresh.day) });
  const writes = [
    { updateOne: { filter: key, update: { $setOnInsert: { asOf: EPOCH } }, upsert: true } },
    { updateOne: { filter: { ...key, asOf: { $lt: asOf } }, update: { $set: { sales: fresh.sales, leads: fresh.leads, asOf } } } },
  ];
  // query: rollup.byKey
  await collection.bulkWrite(writes as mongo.AnyBulkWriteOperation<ReferralRollupRecord>[], { ordered: true, ...scope.options });
  // query: rollup.byKey
  if (!(await hasRecords(deps, scope, fresh, fresh.day))) await collection.deleteOne(key, scope.options);
};

/** Raises the watermark; a referrer's is removed again if erasure left the referrer without records. */
const advance = async (deps: StatsDeps, scope: CallScope, subject: Subject, through: Date): Promise<void> => {
  const { collection } = deps.rollups;
  // query: rollup.byKey (an upsert on exactly the unique key: MongoDB retries its insert race itself)
  await collection.updateOne(markFilter(scope, subject), { $max: { through } }, { upsert: true, ...scope.options });
  // query: rollup.byKey
  if (subject !== 'tenant' && !(await hasRecords(deps, scope, subject))) await collection.deleteOne(markFilter(scope, subject), scope.options);
};

/**
 * Brings `subject`'s rollups up to date: every referrer day with a change stamped at or after the
 * watermark `through` (every day, without one) is computed again from its records and stored, then
 * the watermark rises to the server's clock less the grace. Returns the days it computed, which a
 * read uses as they are: the rollups of every other day are exact for changes before it started.
 */
export const catchUp = async (deps: StatsDeps, scope: CallScope, subject: Subject, through: Date | null): Promise<Map<string, CaughtUpDay>> => {
  const { dirty, now } = await dirtyDays(deps, scope, subject, through);
  const asOf = new Date(now.getTime() - deps.rollups.graceMs);
  const days = [...dirty.values()];
  for (let start = 0; start < days.length; start += PARALLEL) {
    await Promise.all(
      days.slice(start, start + PARALLEL).map(async (day) => {
        const range = dayRange(day.day);
        [day.sales, day.leads] = await Promise.all([referrerSales(deps, scope, day, range), referrerLeads(deps, scope, day, range)]);
        await storeDay(deps, scope, day, asOf);
      }),
    );
  }
  if (dirty.size > 0) await advance(deps, scope, subject, asOf);
  return dirty;
};

/**
 * Erasure: the rollups of an erased referrer, and the watermark of their ref, go once their records
 * carry the stand-in (whose days the next read computes). A catch-up that wrote one meanwhile finds
 * no records left and removes it itself.
 */
export const dropRollups = async (deps: StatsDeps, scope: CallScope, key: ReferrerKey): Promise<void> => {
  // query: rollup.byReferrer
  await deps.rollups.collection.deleteMany(scope.where({ referrerRef: key.referrerRef, referrerModel: { $in: [key.referrerModel, null] } }), scope.options);
};
