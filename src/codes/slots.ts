import type { Types } from 'mongoose';
import { type Ref, refEquals } from '../kernel/ids.js';
import type { Decision, Doc } from '../store/operations.js';
import type { CallScope } from '../store/scope.js';
import type { CodeDeps } from './deps.js';

/** The code a new conversion went through, with its cap as the sale read it (maybe from the cache). */
export interface SlotClaim {
  codeId: Types.ObjectId | null;
  maxConversions?: number | null | undefined;
  /** False for a sale the cap does not count (a 0-amount sale) and for a lead. */
  takesSlot?: boolean;
}

export type Refusal = 'code_deactivated' | 'code_expired' | 'code_limit_reached';

/** What the fence reads of a code: its state and policy as stored now. */
export interface StoredCodeState {
  active: boolean;
  ownerRef?: Ref;
  expiresAt?: Date | null;
  maxConversions?: number | null;
  conversions?: number;
}

/** What the fence reads of a code, and no more (a code with a pending event is otherwise several times larger). */
export const FENCE_PROJECTION = { _id: 0, active: 1, ownerRef: 1, expiresAt: 1, maxConversions: 1, conversions: 1 } as const;

/** Why a code as stored now cannot take a new sale at `now` (null: it can, cap aside). */
export const storedCodeRefusal = (code: StoredCodeState | null, now: Date): Refusal | null => {
  if (!code?.active) return 'code_deactivated';
  return code.expiresAt && code.expiresAt <= now ? 'code_expired' : null;
};

/** Whether the code needs a say before a new sale through it stands: its fence, or its cap. */
export const saleNeedsDecision = (deps: CodeDeps, claim: SlotClaim): boolean =>
  claim.codeId !== null && (deps.config.deactivationFence || (claim.takesSlot !== false && Boolean(claim.maxConversions)));

/**
 * The stored code's verdict on a new sale through it, taken after the sale was inserted
 * unconfirmed (see the executor's insert), from the code as read then (`stored`, null when it is
 * gone): deactivated, deleted or expired refuse (with the fence on); a capped code gives the sale
 * the lowest free slot from its count, past one a unique index refused (`collided`), and refuses
 * once none is left. Neither a code read before a `deactivate()` nor one from the cache decides. A
 * sale through a code read before its owner was erased keeps the stored stand-in, never the erased ref.
 */
export const saleDecision = (
  deps: CodeDeps,
  scope: CallScope,
  claim: SlotClaim & { ref: Ref },
  stored: StoredCodeState | null,
  collided: Doc | null,
): Decision => {
  const refused = (refusal: Refusal): Decision => {
    const erasedOwner = stored?.ownerRef !== undefined && !refEquals(stored.ownerRef, claim.ref);
    return { void: { voidedReason: refusal, ...(erasedOwner ? { referrerRef: stored?.ownerRef } : {}) } };
  };
  const refusal = deps.config.deactivationFence || !stored ? storedCodeRefusal(stored, scope.now) : null;
  if (refusal) return refused(refusal);
  if (!stored?.maxConversions || claim.takesSlot === false) return { stand: {} };
  const slot = Math.max(stored.conversions ?? 0, collided ? Number(collided.slot) + 1 : 0);
  return slot < stored.maxConversions ? { stand: { slot } } : refused('code_limit_reached');
};

/** After a capped sale stood in `slot`: the code's `conversions` counts the slots taken (the next sale's starting point). */
export const countSlot = (deps: CodeDeps, scope: CallScope, codeId: Types.ObjectId, slot: number) =>
  // query: code.byId
  deps.writes.update(scope, { collection: deps.codes, match: { _id: codeId }, among: 'all', set: {}, max: { conversions: slot + 1 }, events: [] });
