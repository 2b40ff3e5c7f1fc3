import { Types } from 'mongoose';
import { createChain } from '../approval/chain.js';
import type { ReferralContext } from '../core/context.js';
import { asDuplicateKey, isDuplicateOn, translateDuplicate } from '../core/duplicate-key.js';
import { FraudRejectedError, SelfReferralError } from '../core/errors.js';
import { runGuards } from '../guards/pipeline.js';
import type { DomainEvent } from '../events/types.js';
import type { GuardContext, IdentitySignals } from '../guards/types.js';
import { type Ref, refEquals } from '../core/ids.js';
import type { EngineRuntime, ReferralDraft, TenantFilter } from '../engine/runtime.js';
import { REFERRAL_EVENTS } from '../events/names.js';
import { outboxOnInsert } from '../events/outbox.js';
import type { ReferralAttribution, ReferralRecord } from '../models/referral.model.js';
import { approvalChainInputSchema } from '../schemas/approval.js';
import { parseInput } from '../schemas/parse.js';
import { insertIfAbsent } from './insert-if-absent.js';
import { codeCollection, driverOptions, eventHome, PUBLIC_PROJECTION, referralCollection } from './records.js';

export interface Referrer {
  ref: Ref;
  model: string;
  codeId: Types.ObjectId | null;
  code: string | null;
  /** The code's conversion limit, when it has one. */
  maxConversions?: number | null;
  /** How this referrer was found; stored on the referral and in `referral:converted`. */
  attribution?: ReferralAttribution;
}

/** A recorded (or replayed) referral, or why the code could not take this sale. */
export type ConversionOutcome = { recorded: ReferralRecord } | { refused: 'code_deactivated' | 'code_limit_reached' };

export interface ConversionParties {
  refereeRef: Ref;
  refereeModel: string;
  sourceRef: Ref;
  sourceModel: string;
  metadata?: Record<string, unknown> | undefined;
  signals?: IdentitySignals | undefined;
}

/** A concurrent insert for the same sale makes the loser's upsert fail once; its retry matches the winner. */
const SOURCE_RACE_RETRIES = 2;

export const isSelfReferral = (referrer: Pick<Referrer, 'ref' | 'model'>, parties: Pick<ConversionParties, 'refereeRef' | 'refereeModel'>): boolean =>
  referrer.model === parties.refereeModel && refEquals(referrer.ref, parties.refereeRef);

const reviewChain = (runtime: EngineRuntime, draft: ReferralDraft) => {
  const input = runtime.review?.chain?.(draft);
  return input ? createChain(parseInput(approvalChainInputSchema, input, 'review.chain()')) : null;
};

export const partiesPayload = (doc: Pick<ReferralRecord, '_id' | 'referrerRef' | 'referrerModel' | 'refereeRef' | 'refereeModel' | 'sourceRef' | 'sourceModel'>) => ({
  referralId: String(doc._id),
  referrerRef: String(doc.referrerRef),
  referrerModel: doc.referrerModel,
  refereeRef: String(doc.refereeRef),
  refereeModel: doc.refereeModel,
  sourceRef: String(doc.sourceRef),
  sourceModel: doc.sourceModel,
});

const guardContext = (runtime: EngineRuntime, scope: TenantFilter, ctx: ReferralContext | undefined): GuardContext => ({
  ctx,
  hasReferral: async ({ referrerRef, refereeRef }) =>
    // query: referral.byPair
    (await referralCollection(runtime).findOne({ ...scope, refereeRef, referrerRef, deletedAt: null }, { projection: { _id: 1 }, ...driverOptions(ctx) })) !== null,
});

/**
 * Conversion limit: a capped code hands out slots with one conditional increment, so the count
 * never passes `maxConversions` however many sales race. A slot not used (a replay, a voided
 * or failed insert) is given back.
 */
const reserveSlot = async (runtime: EngineRuntime, scope: TenantFilter, referrer: Referrer, ctx: ReferralContext | undefined): Promise<boolean> => {
  if (!referrer.codeId || !referrer.maxConversions) return true;
  // query: code.byId
  const reserved = await codeCollection(runtime).updateOne(
    { ...scope, _id: referrer.codeId, active: true, deletedAt: null, conversions: { $lt: referrer.maxConversions } },
    { $inc: { conversions: 1 } },
    driverOptions(ctx),
  );
  return reserved.modifiedCount === 1;
};

const releaseSlot = async (runtime: EngineRuntime, scope: TenantFilter, referrer: Referrer, ctx: ReferralContext | undefined): Promise<void> => {
  if (!referrer.codeId || !referrer.maxConversions) return;
  // query: code.byId
  await codeCollection(runtime).updateOne({ ...scope, _id: referrer.codeId, conversions: { $gt: 0 } }, { $inc: { conversions: -1 } }, driverOptions(ctx));
};

/**
 * Deactivation fence: a conversion that read its code before a concurrent deactivate but
 * inserted after it must not stand. After a new insert, the code is read once more; if it is
 * no longer active the referral is voided (soft-deleted, events dropped) before anything is
 * published. A deactivate() that has returned is therefore never followed by a conversion.
 */
const passesDeactivationFence = async (runtime: EngineRuntime, scope: TenantFilter, referrer: Referrer, referralId: Types.ObjectId, ctx: ReferralContext | undefined): Promise<boolean> => {
  if (!referrer.codeId || !runtime.codes.deactivationFence) return true;
  // query: code.byId
  const live = await codeCollection(runtime).findOne({ ...scope, _id: referrer.codeId, active: true, deletedAt: null }, { projection: { _id: 1 }, ...driverOptions(ctx) });
  if (live) return true;
  // query: referral.byId
  await referralCollection(runtime).updateOne(
    { ...scope, _id: referralId },
    { $set: { deletedAt: new Date(), voidedReason: 'code_deactivated' }, $unset: { outbox: '', pendingEventsAt: '' } },
    driverOptions(ctx),
  );
  return false;
};

/**
 * Records the sale once: a single upsert keyed by the partial-unique { tenant, sourceModel,
 * sourceRef } index, carrying its `referral:converted` event in the same write. The first
 * attribution of a sale wins; replays return it unchanged and emit nothing. Refused when the
 * code was deactivated while the sale was being recorded, or has no conversions left.
 */
export const writeConversion = async (
  runtime: EngineRuntime,
  scope: TenantFilter,
  referrer: Referrer,
  parties: ConversionParties,
  ctx: ReferralContext | undefined,
): Promise<ConversionOutcome> => {
  if (isSelfReferral(referrer, parties)) throw new SelfReferralError();
  const { publisher } = runtime;
  const now = new Date();
  const _id = new Types.ObjectId();
  const draft: ReferralDraft = {
    referrerRef: referrer.ref,
    referrerModel: referrer.model,
    refereeRef: parties.refereeRef,
    refereeModel: parties.refereeModel,
    sourceRef: parties.sourceRef,
    sourceModel: parties.sourceModel,
    code: referrer.code,
    metadata: parties.metadata ?? null,
  };
  const verdict = await runGuards(runtime.guards, { ...draft, signals: parties.signals ?? {} }, guardContext(runtime, scope, ctx));
  if (verdict?.outcome === 'reject') throw new FraudRejectedError(verdict.rules);
  const approvals = reviewChain(runtime, draft);
  const converted = publisher.build(
    REFERRAL_EVENTS.converted,
    {
      ...partiesPayload({ _id, ...draft }),
      ...(referrer.codeId ? { codeId: String(referrer.codeId) } : {}),
      ...(referrer.code ? { code: referrer.code } : {}),
      status: 'converted',
      underReview: approvals !== null,
      ...(verdict?.flagged ? { flagged: true } : {}),
      ...(referrer.attribution ? { attribution: { rule: referrer.attribution.rule, ...(referrer.attribution.touchAt ? { touchAt: referrer.attribution.touchAt.toISOString() } : {}) } } : {}),
      ...(draft.metadata ? { metadata: draft.metadata } : {}),
      convertedAt: now.toISOString(),
    },
    ctx,
    { resource: 'referral', resourceId: String(_id), change: 'converted' },
  );
  const events: DomainEvent[] = [converted];
  if (verdict?.flagged) {
    const reasons = verdict.results.filter((r) => r.outcome === 'flag').map((r) => r.reason ?? r.rule);
    events.push(
      publisher.build(REFERRAL_EVENTS.flagged, { ...partiesPayload({ _id, ...draft }), status: 'converted', rules: verdict.rules, reasons, flaggedAt: now.toISOString() }, ctx, {
        resource: 'referral',
        resourceId: String(_id),
        change: 'flagged',
      }),
    );
  }
  const { sourceRef, sourceModel, ...insertOnly } = draft;
  const collection = referralCollection(runtime);
  if (!(await reserveSlot(runtime, scope, referrer, ctx))) return { refused: 'code_limit_reached' };
  for (let attempt = 0; ; attempt++) {
    try {
      // query: referral.bySource
      const result = await collection.findOneAndUpdate(
        { ...scope, sourceModel, sourceRef, deletedAt: null },
        insertIfAbsent({
          _id,
          ...insertOnly,
          codeId: referrer.codeId,
          status: 'converted',
          approvals,
          review: verdict,
          attribution: referrer.attribution ?? null,
          decisions: [],
          version: 0,
          convertedAt: now,
          decidedAt: null,
          createdAt: now,
          updatedAt: now,
          ...(publisher.embedsEvents ? outboxOnInsert(events, now) : {}),
        }),
        { upsert: true, returnDocument: 'after', includeResultMetadata: true, projection: PUBLIC_PROJECTION, ...driverOptions(ctx) },
      );
      const doc = result.value as ReferralRecord;
      if (result.lastErrorObject?.upserted === undefined) {
        await releaseSlot(runtime, scope, referrer, ctx);
        return { recorded: doc };
      }
      if (!(await passesDeactivationFence(runtime, scope, referrer, _id, ctx))) {
        await releaseSlot(runtime, scope, referrer, ctx);
        return { refused: 'code_deactivated' };
      }
      await publisher.afterWrite(events, eventHome(collection, _id), ctx);
      return { recorded: doc };
    } catch (error) {
      if (attempt < SOURCE_RACE_RETRIES && isDuplicateOn(asDuplicateKey(error), ['sourceRef'])) continue;
      await releaseSlot(runtime, scope, referrer, ctx);
      throw translateDuplicate(error);
    }
  }
};
