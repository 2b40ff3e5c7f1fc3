import type { Types } from 'mongoose';
import type { ReferralContext } from '../core/context.js';
import { NotFoundError, ReferralError } from '../core/errors.js';
import type { EngineRuntime, TenantFilter } from '../engine/runtime.js';
import type { ReferralDecision, ReferralRecord } from '../models/referral.model.js';
import { driverOptions, referralCollection } from './records.js';

export interface TransitionPlan {
  set: Partial<Pick<ReferralRecord, 'status' | 'approvals' | 'decidedAt'>>;
  decision: ReferralDecision;
}

/** Lost optimistic races retried before giving up; each retry re-reads and re-plans. */
const MAX_RACE_RETRIES = 8;

/**
 * Read, plan, conditionally write: the write only applies if the record still has the status
 * and version that were read, so of two concurrent transitions exactly one wins and the other
 * re-plans against the winner's result (typically failing with `invalid_transition`).
 */
export const runTransition = async (
  runtime: EngineRuntime,
  scope: TenantFilter,
  id: Types.ObjectId,
  ctx: ReferralContext | undefined,
  plan: (current: ReferralRecord) => TransitionPlan,
): Promise<{ before: ReferralRecord; after: ReferralRecord }> => {
  const collection = referralCollection(runtime);
  for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
    const current = await collection.findOne({ ...scope, _id: id, deletedAt: null }, driverOptions(ctx));
    if (!current) throw new NotFoundError('referral_not_found', 'No such referral in this tenant');
    const { set, decision } = plan(current);
    const after = await collection.findOneAndUpdate(
      { ...scope, _id: id, deletedAt: null, status: current.status, version: current.version },
      { $set: { ...set, updatedAt: decision.decidedAt }, $inc: { version: 1 }, $push: { decisions: decision } },
      { returnDocument: 'after', ...driverOptions(ctx) },
    );
    if (after) return { before: current, after };
  }
  throw new ReferralError('invalid_transition', 'The referral kept changing concurrently; retry the call', 409);
};
