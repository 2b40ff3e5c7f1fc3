import type { Types } from 'mongoose';
import type { CallScope } from '../store/scope.js';
import { codeCollection, type CodeDeps } from './deps.js';

/** The code a conversion goes through, when it has one and a cap. */
export interface SlotClaim {
  codeId: Types.ObjectId | null;
  maxConversions?: number | null | undefined;
}

/**
 * Conversion limit: a capped code hands out slots with one conditional increment, so the count
 * never passes `maxConversions` however many sales race. A slot not used is given back.
 */
export const reserveSlot = async (deps: CodeDeps, scope: CallScope, claim: SlotClaim): Promise<boolean> => {
  if (!claim.codeId || !claim.maxConversions) return true;
  // query: code.byId
  const reserved = await codeCollection(deps).updateOne(scope.live({ _id: claim.codeId, active: true, conversions: { $lt: claim.maxConversions } }), { $inc: { conversions: 1 } }, scope.options);
  return reserved.modifiedCount === 1;
};

export const releaseSlot = async (deps: CodeDeps, scope: CallScope, claim: SlotClaim): Promise<void> => {
  if (!claim.codeId || !claim.maxConversions) return;
  // query: code.byId
  await codeCollection(deps).updateOne(scope.where({ _id: claim.codeId, conversions: { $gt: 0 } }), { $inc: { conversions: -1 } }, scope.options);
};

/**
 * Deactivation fence: a conversion that read its code before a concurrent deactivate but
 * inserted after it must not stand. After a new insert the code is read once more; false when
 * it is no longer active (the caller voids the insert before anything is published).
 */
export const codeStillActive = async (deps: CodeDeps, scope: CallScope, codeId: Types.ObjectId | null): Promise<boolean> => {
  if (!codeId || !deps.config.deactivationFence) return true;
  // query: code.byId
  return (await codeCollection(deps).findOne(scope.live({ _id: codeId, active: true }), { projection: { _id: 1 }, ...scope.options })) !== null;
};
