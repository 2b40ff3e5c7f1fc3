import { codeDeactivatedEvent } from '../codes/events.js';
import type { CodeOwner } from '../codes/issue.js';
import { redactText, scrubEvent } from '../events/operational.js';
import { findAll } from '../kernel/cursor.js';
import type { Ref } from '../kernel/ids.js';
import type { ReferrerDeps } from '../referrers/standing.js';
import { dropRollups } from '../stats/catch-up.js';
import type { StatsDeps } from '../stats/deps.js';
import type { CallScope } from '../store/scope.js';
import { eraseActor } from './actors.js';
import { anonymizedRef } from './anonymize.js';

/** Erasure reaches every concept's records, so it sits above them all but the engine. */
export interface ErasureDeps extends StatsDeps, ReferrerDeps {
  secret: string | undefined;
}

/**
 * Every stored copy of a referee: their referrals (live or soft-deleted: `refereeRef` becomes the
 * stand-in, `metadata` is dropped; statuses and counts stay), their lifetime binding, and every
 * pending or parked event of those referrals. Returns how many referrals were erased.
 */
export const eraseReferee = async (deps: ErasureDeps, scope: CallScope, refereeRef: Ref): Promise<number> => {
  const { writes } = deps;
  const stand = anonymizedRef(deps.secret, scope.tenant, refereeRef);
  const { now } = scope;
  const erased = { refereeRef: stand, metadata: null, erasedAt: now, updatedAt: now };
  // query: referral.byReferee
  const referrals = await writes.updateMany(scope, { collection: deps.referrals, match: { refereeRef }, set: erased });
  // query: binding.byRefereeAnyModel
  await writes.updateMany(scope, { collection: deps.bindings, match: { refereeRef }, set: { refereeRef: stand } });
  // query: lead.byRefereeAnyModel
  await writes.updateMany(scope, { collection: deps.leads, match: { refereeRef }, set: erased });
  // query: lead.byRefereeAnyModel
  await writes.rewritePending(scope, deps.leads, { refereeRef: stand }, (event) => scrubEvent(event, 'refereeRef', stand));
  // query: referral.byReferee
  await writes.rewritePending(scope, deps.referrals, { refereeRef: stand }, (event) => scrubEvent(event, 'refereeRef', stand));
  await eraseActor(deps, scope, refereeRef, stand);
  return referrals;
};

/** The owner as referrer: their referrals, the referees bound to them, the visits through their codes. */
const eraseReferrerCopies = async (deps: ErasureDeps, scope: CallScope, owner: CodeOwner, stand: string): Promise<void> => {
  const { writes } = deps;
  const asReferrer = { referrerRef: owner.ownerRef, referrerModel: owner.ownerModel };
  const scrub = (event: Parameters<typeof scrubEvent>[0]) => scrubEvent(event, 'referrerRef', stand);
  // query: referral.byReferrerAll
  const erased = { referrerRef: stand, referrerErasedAt: scope.now, updatedAt: scope.now };
  await writes.updateMany(scope, { collection: deps.referrals, match: asReferrer, set: erased });
  // query: referral.byReferrerAll
  await writes.rewritePending(scope, deps.referrals, { referrerRef: stand }, scrub);
  // query: binding.byReferrer
  await writes.updateMany(scope, { collection: deps.bindings, match: asReferrer, set: { referrerRef: stand } });
  // query: lead.byReferrer
  await writes.updateMany(scope, { collection: deps.leads, match: asReferrer, set: erased });
  // query: lead.byReferrer
  await writes.rewritePending(scope, deps.leads, { referrerRef: stand }, scrub);
  // query: referrer.byKey
  await writes.updateMany(scope, { collection: deps.referrers, match: asReferrer, set: { referrerRef: stand, suspendedReason: null } });
  // query: referrer.byKey
  await writes.rewritePending(scope, deps.referrers, { referrerRef: stand }, (event) => redactText(scrub(event), 'reason'));
  // query: touch.byOwner
  await writes.updateMany(scope, { collection: deps.touches, match: { ownerRef: owner.ownerRef, ownerModel: owner.ownerModel }, set: { ownerRef: stand } });
  await dropRollups(deps, scope, asReferrer);
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
  const asOwner = { ownerRef: owner.ownerRef, ownerModel: owner.ownerModel };
  // query: code.byOwnerAll
  await deps.writes.rewritePending(scope, deps.codes, asOwner, (event) => scrubEvent(event, 'ownerRef', stand));
  // query: code.byOwnerAll
  const codes = await findAll(deps.codes, scope.where(asOwner), scope.read);
  let erased = 0;
  for (const doc of codes) {
    const events = doc.active && doc.deletedAt === null ? [codeDeactivatedEvent({ ...doc, ownerRef: stand }, now, scope.ctx)] : [];
    // query: code.byId
    const updated = await deps.writes.update(scope, {
      collection: deps.codes,
      match: { _id: doc._id, ownerRef: owner.ownerRef },
      among: 'all',
      set: { ownerRef: stand, metadata: null, active: false, deactivatedAt: doc.deactivatedAt ?? now, erasedAt: now, updatedAt: now },
      events,
    });
    if (!updated) continue;
    erased++;
    await deps.afterRetire(scope, doc._id);
    deps.config.cache?.invalidate(scope.tenant, doc.code);
  }
  await eraseReferrerCopies(deps, scope, owner, stand);
  await eraseActor(deps, scope, owner.ownerRef, stand);
  return erased;
};
