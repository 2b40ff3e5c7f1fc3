import { foldLookAlikes } from '../codes/format.js';
import { ReplayConflictError } from '../kernel/errors.js';
import { type Ref, refEquals } from '../kernel/ids.js';
import type { CallScope } from '../store/scope.js';
import type { ReferralDeps } from './deps.js';
import type { ReferralRecord } from './model.js';
import type { Referrer } from './referrer.js';

/** The caller's side of a sale: what a replay must repeat (metadata may differ; amount and currency when given). */
export interface SaleKey {
  refereeRef: Ref;
  refereeModel: string;
  sourceRef: Ref;
  sourceModel: string;
  amount?: number | undefined;
  currency?: string | undefined;
}

/**
 * Which parameters of a replay disagree with the recorded sale: the referee always; the
 * referrer only when the caller chose it (a code or a named referrer), not when touches or a
 * binding found it. An erased record no longer holds the refs to compare.
 */
const conflictingFields = (recorded: ReferralRecord, sale: SaleKey, referrer: Pick<Referrer, 'ref' | 'model' | 'attribution'> | null): string[] => {
  if (recorded.erasedAt) return [];
  const fields: string[] = [];
  if (!refEquals(recorded.refereeRef, sale.refereeRef)) fields.push('refereeRef');
  if (recorded.refereeModel !== sale.refereeModel) fields.push('refereeModel');
  // Money is never rewritten by a replay: a retry that names another amount or currency is the caller's bug.
  if (sale.amount !== undefined && recorded.amount !== sale.amount) fields.push('amount');
  if (sale.currency !== undefined && recorded.currency !== sale.currency) fields.push('currency');
  // An erased referrer is a stand-in now: a process that read the code before the erasure still names the raw ref.
  const chosen = referrer && !recorded.referrerErasedAt && (referrer.attribution.rule === 'code' || referrer.attribution.rule === 'named_referrer');
  if (chosen && !refEquals(recorded.referrerRef, referrer.ref)) fields.push('referrerRef');
  if (chosen && recorded.referrerModel !== referrer.model) fields.push('referrerModel');
  return fields;
};

/** Returns the recorded sale as the answer to a replay, or refuses a replay that disagrees. */
export const answerReplay = (recorded: ReferralRecord, sale: SaleKey, referrer: Pick<Referrer, 'ref' | 'model' | 'attribution'> | null): ReferralRecord => {
  const fields = conflictingFields(recorded, sale, referrer);
  if (fields.length > 0) throw new ReplayConflictError(fields);
  return recorded;
};

/**
 * A sale named a code that can no longer attribute (deactivated, expired, deleted): if the sale
 * was recorded before, the answer is that record, as for any replay; otherwise null.
 */
export const replayThroughRetiredCode = async (deps: ReferralDeps, scope: CallScope, sale: SaleKey, typedCode: string): Promise<ReferralRecord | null> => {
  // query: referral.bySource
  const recorded = await deps.referrals.findOne(scope.live({ sourceModel: sale.sourceModel, sourceRef: sale.sourceRef }), scope.read);
  if (!recorded) return null;
  const fields = conflictingFields(recorded, sale, null);
  if (!recorded.erasedAt && foldLookAlikes(recorded.code ?? '') !== foldLookAlikes(typedCode)) fields.push('code');
  if (fields.length > 0) throw new ReplayConflictError(fields);
  return recorded;
};
