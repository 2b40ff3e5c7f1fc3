import type { Types } from 'mongoose';
import type { CallScope } from '../store/scope.js';
import { codeCollection, type CodeDeps } from './deps.js';

/** The code a new conversion went through, with its cap when it has one. */
export interface SlotClaim {
  codeId: Types.ObjectId | null;
  maxConversions?: number | null | undefined;
}

export type Refusal = 'code_deactivated' | 'code_limit_reached';

/**
 * Confirms a conversion that was just inserted, before its events are published. A capped code
 * hands out a slot with one conditional increment that also requires the code to be live and
 * active: slot and deactivation fence in one command, never past `maxConversions` however
 * sales interleave. An uncapped code is re-read (the deactivation fence) unless the fence is off.
 * Null confirms; otherwise the reason the insert must be voided.
 */
export const confirmConversion = async (deps: CodeDeps, scope: CallScope, claim: SlotClaim): Promise<Refusal | null> => {
  if (!claim.codeId) return null;
  const collection = codeCollection(deps);
  if (claim.maxConversions) {
    // query: code.byId
    const claimed = await collection.updateOne(scope.live({ _id: claim.codeId, active: true, conversions: { $lt: claim.maxConversions } }), { $inc: { conversions: 1 } }, scope.options);
    if (claimed.modifiedCount === 1) return null;
  } else if (!deps.config.deactivationFence) {
    return null;
  }
  // query: code.byId
  const live = await collection.findOne(scope.live({ _id: claim.codeId, active: true }), { projection: { _id: 1 }, ...scope.options });
  return live ? (claim.maxConversions ? 'code_limit_reached' : null) : 'code_deactivated';
};
