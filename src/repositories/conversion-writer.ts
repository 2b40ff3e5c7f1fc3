import type { Types } from 'mongoose';
import { createChain } from '../approval/chain.js';
import type { ReferralContext } from '../core/context.js';
import { asDuplicateKey, isDuplicateOn, translateDuplicate } from '../core/duplicate-key.js';
import { SelfReferralError } from '../core/errors.js';
import { type Ref, refEquals } from '../core/ids.js';
import type { EngineRuntime, ReferralDraft, TenantFilter } from '../engine/runtime.js';
import { REFERRAL_EVENTS } from '../events/names.js';
import type { ReferralRecord } from '../models/referral.model.js';
import { approvalChainInputSchema } from '../schemas/approval.js';
import { parseInput } from '../schemas/parse.js';
import { driverOptions, referralCollection } from './records.js';

export interface Referrer {
  ref: Ref;
  model: string;
  codeId: Types.ObjectId | null;
  code: string | null;
}

export interface ConversionParties {
  refereeRef: Ref;
  refereeModel: string;
  sourceRef: Ref;
  sourceModel: string;
  metadata?: Record<string, unknown> | undefined;
}

/** A concurrent insert for the same sale makes the loser's upsert fail once; its retry matches the winner. */
const SOURCE_RACE_RETRIES = 2;

export const isSelfReferral = (referrer: Pick<Referrer, 'ref' | 'model'>, parties: Pick<ConversionParties, 'refereeRef' | 'refereeModel'>): boolean =>
  referrer.model === parties.refereeModel && refEquals(referrer.ref, parties.refereeRef);

const reviewChain = (runtime: EngineRuntime, draft: ReferralDraft) => {
  const input = runtime.review?.chain?.(draft);
  return input ? createChain(parseInput(approvalChainInputSchema, input, 'review.chain()')) : null;
};

/**
 * Records the sale once: a single upsert keyed by the partial-unique { tenant, sourceModel,
 * sourceRef } index. The first attribution of a sale wins; replays return it unchanged and emit
 * nothing. The self-referral guard runs before any write.
 */
export const writeConversion = async (
  runtime: EngineRuntime,
  scope: TenantFilter,
  referrer: Referrer,
  parties: ConversionParties,
  ctx: ReferralContext | undefined,
): Promise<ReferralRecord> => {
  if (isSelfReferral(referrer, parties)) throw new SelfReferralError();
  const now = new Date();
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
  const approvals = reviewChain(runtime, draft);
  const { sourceRef, sourceModel, ...insertOnly } = draft;
  const collection = referralCollection(runtime);
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await collection.findOneAndUpdate(
        { ...scope, sourceModel, sourceRef, deletedAt: null },
        {
          $setOnInsert: {
            ...insertOnly,
            codeId: referrer.codeId,
            status: 'converted',
            approvals,
            decisions: [],
            version: 0,
            convertedAt: now,
            decidedAt: null,
            createdAt: now,
            updatedAt: now,
          },
        },
        { upsert: true, returnDocument: 'after', includeResultMetadata: true, ...driverOptions(ctx) },
      );
      const doc = result.value as ReferralRecord;
      if (result.lastErrorObject?.upserted !== undefined) await emitConverted(runtime, doc, ctx);
      return doc;
    } catch (error) {
      if (attempt < SOURCE_RACE_RETRIES && isDuplicateOn(asDuplicateKey(error), ['sourceRef'])) continue;
      throw translateDuplicate(error);
    }
  }
};

export const partiesPayload = (doc: ReferralRecord) => ({
  referralId: String(doc._id),
  referrerRef: String(doc.referrerRef),
  referrerModel: doc.referrerModel,
  refereeRef: String(doc.refereeRef),
  refereeModel: doc.refereeModel,
  sourceRef: String(doc.sourceRef),
  sourceModel: doc.sourceModel,
});

const emitConverted = (runtime: EngineRuntime, doc: ReferralRecord, ctx: ReferralContext | undefined) =>
  runtime.publisher.emit(
    REFERRAL_EVENTS.converted,
    {
      ...partiesPayload(doc),
      ...(doc.codeId ? { codeId: String(doc.codeId) } : {}),
      ...(doc.code ? { code: doc.code } : {}),
      status: 'converted',
      underReview: doc.approvals !== null,
      ...(doc.metadata ? { metadata: doc.metadata } : {}),
      convertedAt: doc.convertedAt.toISOString(),
    },
    ctx,
    { resource: 'referral', resourceId: String(doc._id), change: 'converted' },
  );
