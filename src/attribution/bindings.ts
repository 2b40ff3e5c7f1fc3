import { Types } from 'mongoose';
import type { Ref } from '../kernel/ids.js';
import type { Referrer } from '../referrals/referrer.js';
import { insertIfAbsent } from '../store/insert-if-absent.js';
import type { CallScope } from '../store/scope.js';
import type { ReferralBindingRecord } from './binding.model.js';
import { type AttributionDeps, bindingCollection } from './deps.js';

export const findBinding = (deps: AttributionDeps, scope: CallScope, refereeRef: Ref, refereeModel: string): Promise<ReferralBindingRecord | null> =>
  // query: binding.byReferee
  bindingCollection(deps).findOne(scope.where({ refereeRef, refereeModel }), scope.options);

/** Binds a referee to a referrer unless already bound; returns the binding that stands (first bind wins). */
export const bindReferee = async (
  deps: AttributionDeps,
  scope: CallScope,
  referrer: Referrer,
  referee: { refereeRef: Ref; refereeModel: string },
): Promise<ReferralBindingRecord> => {
  const { now } = scope;
  // query: binding.byReferee
  const result = await bindingCollection(deps).findOneAndUpdate(
    scope.where({ refereeRef: referee.refereeRef, refereeModel: referee.refereeModel }),
    insertIfAbsent({
      _id: new Types.ObjectId(),
      referrerRef: referrer.ref,
      referrerModel: referrer.model,
      codeId: referrer.codeId,
      code: referrer.code,
      boundAt: now,
      createdAt: now,
    }),
    { upsert: true, returnDocument: 'after', ...scope.options },
  );
  return result as ReferralBindingRecord;
};
