import type { Types } from 'mongoose';
import type { ReferralContext } from '../core/context.js';
import { NotFoundError, ReferralError } from '../core/errors.js';
import type { EngineRuntime, TenantFilter } from '../engine/runtime.js';
import { outboxOnUpdate } from '../events/outbox.js';
import type { DomainEvent } from '../events/types.js';
import type { ReferralDecision, ReferralRecord, ReferralReversal } from '../models/referral.model.js';
import { driverOptions, eventHome, PUBLIC_PROJECTION, referralCollection } from './records.js';

export interface TransitionPlan {
  set: Partial<Pick<ReferralRecord, 'status' | 'approvals' | 'decidedAt' | 'reversedAmount'>>;
  /** Appended to `reversals` in the same write. */
  reversal?: ReferralReversal;
  decision: ReferralDecision;
  /** Events this transition emits; stored with it and published after it. */
  events: DomainEvent[];
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
  /** Returns the change to make, or null when the record already reflects it (an idempotent replay). */
  plan: (current: ReferralRecord) => TransitionPlan | null,
): Promise<ReferralRecord> => {
  const collection = referralCollection(runtime);
  const { publisher } = runtime;
  for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
    // query: referral.byId
    const current = await collection.findOne({ ...scope, _id: id, deletedAt: null }, { projection: PUBLIC_PROJECTION, ...driverOptions(ctx) });
    if (!current) throw new NotFoundError('referral_not_found', 'No such referral in this tenant');
    const planned = plan(current);
    if (!planned) return current;
    const { set, decision, events } = planned;
    const outbox = outboxOnUpdate(publisher.embedsEvents ? events : [], decision.decidedAt);
    // query: referral.byId
    const after = await collection.findOneAndUpdate(
      { ...scope, _id: id, deletedAt: null, status: current.status, version: current.version },
      {
        $set: { ...set, ...outbox.set, updatedAt: decision.decidedAt },
        $inc: { version: 1 },
        $push: { decisions: decision, ...(planned.reversal ? { reversals: planned.reversal } : {}), ...outbox.push },
      },
      { returnDocument: 'after', projection: PUBLIC_PROJECTION, ...driverOptions(ctx) },
    );
    if (!after) continue;
    await publisher.afterWrite(events, eventHome(collection, id), ctx);
    return after;
  }
  throw new ReferralError('invalid_transition', 'The referral kept changing concurrently; retry the call', 409);
};
