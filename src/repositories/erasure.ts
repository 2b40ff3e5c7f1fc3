import { createHash, createHmac } from 'node:crypto';
import type { ReferralContext } from '../core/context.js';
import type { Ref } from '../core/ids.js';
import type { EngineRuntime, TenantFilter } from '../engine/runtime.js';
import type { DomainEvent } from '../events/types.js';
import { driverOptions, referralCollection } from './records.js';

/**
 * The one-way stand-in for an erased ref: stable per tenant and ref (so counts per person stay
 * meaningful), keyed by `erasure.secret` when the host sets one (recommended: ids are guessable).
 */
export const anonymizedRef = (runtime: EngineRuntime, scope: TenantFilter, ref: Ref): string => {
  const input = `${Object.values(scope).map(String).join('/')}:${String(ref)}`;
  const digest = runtime.erasureSecret ? createHmac('sha256', runtime.erasureSecret).update(input) : createHash('sha256').update(input);
  return `erased:${digest.digest('hex').slice(0, 40)}`;
};

/** Pending (unpublished) events of erased records carry the stand-in too, and no metadata. */
export const scrubEvent = (event: DomainEvent, field: string, stand: string): DomainEvent => {
  const { metadata: _dropped, ...payload } = event.payload as Record<string, unknown>;
  return { ...event, payload: { ...payload, [field]: stand } };
};

/**
 * Anonymizes every referral (live or soft-deleted) of a referee: `refereeRef` becomes the
 * stand-in, `metadata` is dropped, statuses and counts stay. Returns how many were erased.
 */
export const eraseRefereeRecords = async (runtime: EngineRuntime, scope: TenantFilter, refereeRef: Ref, ctx: ReferralContext | undefined): Promise<number> => {
  const stand = anonymizedRef(runtime, scope, refereeRef);
  const collection = referralCollection(runtime);
  const now = new Date();
  // query: referral.byReferee
  const result = await collection.updateMany({ ...scope, refereeRef }, { $set: { refereeRef: stand, metadata: null, erasedAt: now, updatedAt: now } }, driverOptions(ctx));
  // query: referral.byReferee
  const pending = await collection.find({ ...scope, refereeRef: stand, pendingEventsAt: { $exists: true } }, { projection: { outbox: 1 }, ...driverOptions(ctx) }).toArray();
  if (pending.length > 0) {
    // query: outbox.ack
    await collection.bulkWrite(
      pending.map((doc) => ({
        updateOne: { filter: { _id: doc._id }, update: { $set: { outbox: ((doc as { outbox?: DomainEvent[] }).outbox ?? []).map((e) => scrubEvent(e, 'refereeRef', stand)) } } },
      })),
      driverOptions(ctx),
    );
  }
  return result.modifiedCount;
};
