import { Types } from 'mongoose';
import type { ReferralContext } from '../core/context.js';
import type { Ref } from '../core/ids.js';
import { type AttributionRule, touchOrder, windowStart } from '../domain/attribution-policy.js';
import type { EngineRuntime, TenantFilter } from '../engine/runtime.js';
import type { ReferralBindingRecord } from '../models/binding.model.js';
import type { ReferralTouchRecord } from '../models/touch.model.js';
import type { Referrer } from './conversion-writer.js';
import { insertIfAbsent } from './insert-if-absent.js';
import { bindingCollection, driverOptions, referralCollection, touchCollection } from './records.js';

/** What explain() reports about a referee. */
export interface AttributionExplanation {
  policy: { model: 'first_touch' | 'last_touch'; windowDays: number; binding: 'per_sale' | 'lifetime' };
  binding: ReferralBindingRecord | null;
  referrals: { referralId: string; sourceRef: Ref; sourceModel: string; referrerRef: Ref; status: string; attribution: { rule: AttributionRule; visitorId?: string; touchAt?: Date } | null }[];
  /** Touches (not yet expired) of the visitors those referrals were attributed through. */
  touches: ReferralTouchRecord[];
}

/** Stores one visit through a referral code. */
export const recordTouch = async (runtime: EngineRuntime, scope: TenantFilter, touch: Omit<ReferralTouchRecord, '_id' | 'organizationId'>, ctx: ReferralContext | undefined): Promise<ReferralTouchRecord> => {
  const doc = { _id: new Types.ObjectId(), ...scope, ...touch } as ReferralTouchRecord;
  await touchCollection(runtime).insertOne(doc, driverOptions(ctx));
  return doc;
};

/** The visitor's deciding touch in the window: first or last, per policy (one indexed read). */
export const decidingTouch = async (runtime: EngineRuntime, scope: TenantFilter, visitorId: string, ctx: ReferralContext | undefined): Promise<ReferralTouchRecord | null> => {
  const policy = runtime.attribution;
  // query: touch.byVisitor
  return touchCollection(runtime).findOne({ ...scope, visitorId, at: { $gte: windowStart(policy, new Date()) } }, { sort: { at: touchOrder(policy) }, ...driverOptions(ctx) });
};

export const referrerFromTouch = (touch: ReferralTouchRecord, rule: AttributionRule): Referrer => ({
  ref: touch.ownerRef,
  model: touch.ownerModel,
  codeId: touch.codeId,
  code: touch.code,
  attribution: { rule, visitorId: touch.visitorId, touchAt: touch.at },
});

export const findBinding = (runtime: EngineRuntime, scope: TenantFilter, refereeRef: Ref, refereeModel: string, ctx: ReferralContext | undefined) =>
  // query: binding.byReferee
  bindingCollection(runtime).findOne({ ...scope, refereeRef, refereeModel }, driverOptions(ctx));

export const referrerFromBinding = (binding: ReferralBindingRecord): Referrer => ({
  ref: binding.referrerRef,
  model: binding.referrerModel,
  codeId: binding.codeId,
  code: binding.code,
  attribution: { rule: 'lifetime_binding' },
});

/** Binds a referee to a referrer unless already bound; returns the binding that stands (first bind wins). */
export const bindReferee = async (runtime: EngineRuntime, scope: TenantFilter, referrer: Referrer, referee: { refereeRef: Ref; refereeModel: string }, ctx: ReferralContext | undefined): Promise<ReferralBindingRecord> => {
  const now = new Date();
  // query: binding.byReferee
  const result = await bindingCollection(runtime).findOneAndUpdate(
    { ...scope, refereeRef: referee.refereeRef, refereeModel: referee.refereeModel },
    insertIfAbsent({ _id: new Types.ObjectId(), referrerRef: referrer.ref, referrerModel: referrer.model, codeId: referrer.codeId, code: referrer.code, boundAt: now, createdAt: now }),
    { upsert: true, returnDocument: 'after', ...driverOptions(ctx) },
  );
  return result as ReferralBindingRecord;
};

export const explainReferee = async (runtime: EngineRuntime, scope: TenantFilter, refereeRef: Ref, ctx: ReferralContext | undefined): Promise<AttributionExplanation> => {
  const { model, windowDays, binding } = runtime.attribution;
  // query: binding.byRefereeAnyModel
  const bound = await bindingCollection(runtime).findOne({ ...scope, refereeRef }, driverOptions(ctx));
  // query: referral.byReferee
  const referrals = await referralCollection(runtime)
    .find({ ...scope, refereeRef, deletedAt: null }, { projection: { sourceRef: 1, sourceModel: 1, referrerRef: 1, status: 1, attribution: 1 }, limit: 100, ...driverOptions(ctx) })
    .toArray();
  const visitorIds = [...new Set(referrals.map((r) => r.attribution?.visitorId).filter((id): id is string => typeof id === 'string'))];
  // query: touch.byVisitor
  const touches = visitorIds.length === 0 ? [] : await touchCollection(runtime).find({ ...scope, visitorId: { $in: visitorIds } }, { sort: { at: -1 }, limit: 100, ...driverOptions(ctx) }).toArray();
  return {
    policy: { model, windowDays, binding },
    binding: bound,
    referrals: referrals.map((r) => ({ referralId: String(r._id), sourceRef: r.sourceRef, sourceModel: r.sourceModel, referrerRef: r.referrerRef, status: r.status, attribution: r.attribution ?? null })),
    touches,
  };
};
