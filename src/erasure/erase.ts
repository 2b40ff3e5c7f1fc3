import type { AttributionDeps } from '../attribution/deps.js';
import { codeCollection } from '../codes/deps.js';
import { codeDeactivatedEvent } from '../codes/events.js';
import type { CodeOwner } from '../codes/issue.js';
import { scrubEvent } from '../events/operational.js';
import type { DomainEvent } from '../events/types.js';
import type { Ref } from '../kernel/ids.js';
import { referralCollection } from '../referrals/deps.js';
import { rewritePendingEvents, updateWithEvents } from '../store/evented-write.js';
import type { CallScope } from '../store/scope.js';
import { anonymizedRef } from './anonymize.js';

/** Erasure reaches every concept's records, so it sits above them all but the engine. */
export interface ErasureDeps extends AttributionDeps {
  secret: string | undefined;
}

/**
 * Anonymizes every referral (live or soft-deleted) of a referee: `refereeRef` becomes the
 * stand-in, `metadata` is dropped, statuses and counts stay. Returns how many were erased.
 */
export const eraseReferee = async (deps: ErasureDeps, scope: CallScope, refereeRef: Ref): Promise<number> => {
  const stand = anonymizedRef(deps.secret, scope.tenant, refereeRef);
  const { now } = scope;
  // query: referral.byReferee
  const result = await referralCollection(deps).updateMany(scope.where({ refereeRef }), { $set: { refereeRef: stand, metadata: null, erasedAt: now, updatedAt: now } }, scope.options);
  // query: referral.byReferee
  await rewritePendingEvents(referralCollection(deps), scope, scope.where({ refereeRef: stand }), (event) => scrubEvent(event, 'refereeRef', stand));
  return result.modifiedCount;
};

/**
 * Every code of an owner is deactivated for good and its `ownerRef` replaced by the stand-in
 * (`metadata` dropped), pending events included. The code strings stay taken.
 */
export const eraseOwner = async (deps: ErasureDeps, scope: CallScope, owner: CodeOwner): Promise<number> => {
  const stand = anonymizedRef(deps.secret, scope.tenant, owner.ownerRef);
  const { now } = scope;
  // query: code.byOwnerAll
  const codes = await codeCollection(deps).find(scope.where({ ownerRef: owner.ownerRef, ownerModel: owner.ownerModel }), scope.options).toArray();
  let erased = 0;
  for (const doc of codes) {
    const events = doc.active && doc.deletedAt === null ? [codeDeactivatedEvent(deps.codes.publisher, { ...doc, ownerRef: stand }, now, scope.ctx)] : [];
    // query: code.byId
    const updated = await updateWithEvents(deps.codes, scope, {
      filter: scope.where({ _id: doc._id, ownerRef: owner.ownerRef }),
      set: { ownerRef: stand, metadata: null, active: false, deactivatedAt: doc.deactivatedAt ?? now, erasedAt: now, updatedAt: now },
      events,
      pending: { current: (doc as { outbox?: DomainEvent[] }).outbox ?? [], rewrite: (event) => scrubEvent(event, 'ownerRef', stand) },
    });
    if (!updated) continue;
    erased++;
    deps.config.cache?.invalidate(scope.tenant, doc.code);
  }
  return erased;
};
