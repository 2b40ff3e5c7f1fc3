import { Types } from 'mongoose';
import type { Ref } from '../kernel/ids.js';
import type { Referrer } from '../referrals/referrer.js';
import type { CallScope } from '../store/scope.js';
import type { ReferralBindingRecord } from './binding.model.js';
import type { AttributionDeps } from './deps.js';

export const findBinding = (deps: AttributionDeps, scope: CallScope, refereeRef: Ref, refereeModel: string): Promise<ReferralBindingRecord | null> =>
  // query: binding.byReferee
  deps.bindings.findOne(scope.where({ refereeRef, refereeModel }), scope.options);

/** Binds a referee to a referrer unless already bound; returns the binding that stands (first bind wins). */
export const bindReferee = async (
  deps: AttributionDeps,
  scope: CallScope,
  referrer: Referrer,
  referee: { refereeRef: Ref; refereeModel: string },
): Promise<ReferralBindingRecord> => {
  const { now } = scope;
  const doc = {
    _id: new Types.ObjectId(),
    referrerRef: referrer.ref,
    referrerModel: referrer.model,
    codeId: referrer.codeId,
    code: referrer.code,
    boundAt: now,
    createdAt: now,
  };
  // query: binding.byReferee
  const bound = await deps.writes.insert(scope, {
    collection: deps.bindings,
    match: { refereeRef: referee.refereeRef, refereeModel: referee.refereeModel },
    among: 'all' as const,
    doc,
    events: [],
  });
  return bound.doc;
};
