import type { Types } from 'mongoose';
import { type Ref, refEquals } from '../kernel/ids.js';
import type { CallScope } from '../store/scope.js';
import type { CodeDeps } from './deps.js';

/** The code a new conversion went through, with its cap as the sale read it (maybe from the cache). */
export interface SlotClaim {
  codeId: Types.ObjectId | null;
  maxConversions?: number | null | undefined;
}

export type Refusal = 'code_deactivated' | 'code_expired' | 'code_limit_reached';

/** Why the sale cannot stand, and the code's owner as stored now (a stand-in once the owner was erased). */
export interface FenceRefusal {
  refusal: Refusal;
  storedOwnerRef?: Ref;
}

/** What the fence reads of a code: its state and policy as stored now. */
export interface StoredCodeState {
  active: boolean;
  ownerRef?: Ref;
  expiresAt?: Date | null;
  maxConversions?: number | null;
}

/** Why a code as stored now cannot take a new sale at `now` (null: it can, cap aside). */
export const storedCodeRefusal = (code: StoredCodeState | null, now: Date): Refusal | null => {
  if (!code?.active) return 'code_deactivated';
  return code.expiresAt && code.expiresAt <= now ? 'code_expired' : null;
};

const unexpired = (now: Date) => ({ $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }] });

/**
 * One conditional increment against the code as stored: live, active, unexpired and under its
 * stored cap (`$expr`, so a cap read from a stale cache can never admit one sale too many).
 */
const claimSlot = async (deps: CodeDeps, scope: CallScope, codeId: Types.ObjectId): Promise<boolean> => {
  const filter = scope.live({ _id: codeId, active: true, ...unexpired(scope.now), $expr: { $lt: ['$conversions', '$maxConversions'] } });
  // query: code.byId
  const claimed = await deps.codes.updateOne(filter, { $inc: { conversions: 1 } }, scope.options);
  return claimed.modifiedCount === 1;
};

/**
 * The code as stored decides the verdict once a claim failed or no claim was made: deactivated,
 * deleted or expired refuse; a cap set since the sale's read takes its slot now.
 */
const decideFromStored = async (deps: CodeDeps, scope: CallScope, claim: SlotClaim & { codeId: Types.ObjectId }): Promise<FenceRefusal | null> => {
  // query: code.byId
  const stored = await deps.codes.findOne(scope.live({ _id: claim.codeId }), scope.options);
  const refusal = storedCodeRefusal(stored, scope.now);
  const refused = (reason: Refusal): FenceRefusal => (stored ? { refusal: reason, storedOwnerRef: stored.ownerRef } : { refusal: reason });
  if (refusal) return refused(refusal);
  if (!stored?.maxConversions) return null;
  if (claim.maxConversions) return refused('code_limit_reached');
  return (await claimSlot(deps, scope, claim.codeId)) ? null : refused('code_limit_reached');
};

/**
 * Confirms a conversion that was just inserted, before its events are published: the fence
 * re-reads the code from the database, so neither a code read before a `deactivate()` nor one
 * from the cache can record a sale the stored code refuses. A capped code hands out its slot
 * with one conditional increment (slot and fence in one command). Null confirms; otherwise the
 * reason the insert must be voided, with the stored owner. With the fence off, an uncapped code
 * is not re-read.
 */
const confirmConversion = async (deps: CodeDeps, scope: CallScope, claim: SlotClaim): Promise<FenceRefusal | null> => {
  const { codeId } = claim;
  if (!codeId) return null;
  if (claim.maxConversions) {
    if (await claimSlot(deps, scope, codeId)) return null;
  } else if (!deps.config.deactivationFence) {
    return null;
  }
  return decideFromStored(deps, scope, { ...claim, codeId });
};

/**
 * A new sale's confirm step (run by the executor right after its insert): null when the sale
 * stands, else the fields that void it. A sale through a code read before its owner was erased
 * (another process's cache, or a race) keeps the stored stand-in, never the erased ref.
 */
export const saleFence = async (deps: CodeDeps, scope: CallScope, claim: SlotClaim & { ref: Ref }): Promise<Record<string, unknown> | null> => {
  const refused = await confirmConversion(deps, scope, claim);
  if (refused === null) return null;
  const erasedOwner = refused.storedOwnerRef !== undefined && !refEquals(refused.storedOwnerRef, claim.ref);
  return { deletedAt: scope.now, voidedReason: refused.refusal, ...(erasedOwner ? { referrerRef: refused.storedOwnerRef } : {}) };
};
