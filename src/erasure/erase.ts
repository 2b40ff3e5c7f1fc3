import type { AttributionDeps } from '../attribution/deps.js';
import { codeCollection } from '../codes/deps.js';
import { codeDeactivatedEvent } from '../codes/events.js';
import type { CodeOwner } from '../codes/issue.js';
import { scrubEvent } from '../events/operational.js';
import { findAll } from '../kernel/cursor.js';
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
 * Every stored copy of a referee: their referrals (live or soft-deleted: `refereeRef` becomes the
 * stand-in, `metadata` is dropped; statuses and counts stay), their lifetime binding, and every
 * pending or parked event of those referrals. Returns how many referrals were erased.
 */
export const eraseReferee = async (deps: ErasureDeps, scope: CallScope, refereeRef: Ref): Promise<number> => {
  const stand = anonymizedRef(deps.secret, scope.tenant, refereeRef);
  const { now } = scope;
  // query: referral.byReferee
  const result = await referralCollection(deps).updateMany(
    scope.where({ refereeRef }),
    { $set: { refereeRef: stand, metadata: null, erasedAt: now, updatedAt: now } },
    scope.options,
  );
  // query: binding.byRefereeAnyModel
  await deps.bindings.updateMany(scope.where({ refereeRef }), { $set: { refereeRef: stand } }, scope.options);
  // query: lead.byRefereeAnyModel
  await deps.leads.collection.updateMany(
    scope.where({ refereeRef }),
    { $set: { refereeRef: stand, metadata: null, erasedAt: now, updatedAt: now } },
    scope.options,
  );
  // query: lead.byRefereeAnyModel
  await rewritePendingEvents(deps.leads, scope, scope.where({ refereeRef: stand }), (event) => scrubEvent(event, 'refereeRef', stand));
  // query: referral.byReferee
  await rewritePendingEvents(deps.referrals, scope, scope.where({ refereeRef: stand }), (event) => scrubEvent(event, 'refereeRef', stand));
  return result.modifiedCount;
};

/** The owner as referrer: their referrals, the referees bound to them, the visits through their codes. */
const eraseReferrerCopies = async (deps: ErasureDeps, scope: CallScope, owner: CodeOwner, stand: string): Promise<void> => {
  // query: referral.byReferrerAll
  await referralCollection(deps).updateMany(
    scope.where({ referrerRef: owner.ownerRef, referrerModel: owner.ownerModel }),
    { $set: { referrerRef: stand, updatedAt: scope.now } },
    scope.options,
  );
  // query: referral.byReferrerAll
  await rewritePendingEvents(deps.referrals, scope, scope.where({ referrerRef: stand }), (event) => scrubEvent(event, 'referrerRef', stand));
  // query: binding.byReferrer
  await deps.bindings.updateMany(
    scope.where({ referrerRef: owner.ownerRef, referrerModel: owner.ownerModel }),
    { $set: { referrerRef: stand } },
    scope.options,
  );
  // query: lead.byReferrer
  await deps.leads.collection.updateMany(
    scope.where({ referrerRef: owner.ownerRef, referrerModel: owner.ownerModel }),
    { $set: { referrerRef: stand, updatedAt: scope.now } },
    scope.options,
  );
  // query: lead.byReferrer
  await rewritePendingEvents(deps.leads, scope, scope.where({ referrerRef: stand }), (event) => scrubEvent(event, 'referrerRef', stand));
  // query: touch.byOwner
  await deps.touches.updateMany(scope.where({ ownerRef: owner.ownerRef, ownerModel: owner.ownerModel }), { $set: { ownerRef: stand } }, scope.options);
};

/**
 * Every stored copy of a code owner: each code of theirs is deactivated for good with its
 * `ownerRef` replaced by the stand-in (`metadata` dropped; the code strings stay taken), and
 * their referrals, bindings, touches and every pending or parked event carry the stand-in too.
 * Returns how many codes were erased.
 */
export const eraseOwner = async (deps: ErasureDeps, scope: CallScope, owner: CodeOwner): Promise<number> => {
  const stand = anonymizedRef(deps.secret, scope.tenant, owner.ownerRef);
  const { now } = scope;
  const ownerFilter = scope.where({ ownerRef: owner.ownerRef, ownerModel: owner.ownerModel });
  // query: code.byOwnerAll
  await rewritePendingEvents(deps.codes, scope, ownerFilter, (event) => scrubEvent(event, 'ownerRef', stand));
  // query: code.byOwnerAll
  const codes = await findAll(codeCollection(deps), ownerFilter, scope.read);
  let erased = 0;
  for (const doc of codes) {
    const events = doc.active && doc.deletedAt === null ? [codeDeactivatedEvent(deps.codes.publisher, { ...doc, ownerRef: stand }, now, scope.ctx)] : [];
    // query: code.byId
    const updated = await updateWithEvents(deps.codes, scope, {
      filter: scope.where({ _id: doc._id, ownerRef: owner.ownerRef }),
      set: { ownerRef: stand, metadata: null, active: false, deactivatedAt: doc.deactivatedAt ?? now, erasedAt: now, updatedAt: now },
      events,
    });
    if (!updated) continue;
    erased++;
    deps.config.cache?.invalidate(scope.tenant, doc.code);
  }
  await eraseReferrerCopies(deps, scope, owner, stand);
  return erased;
};
