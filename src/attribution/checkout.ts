import { resolveCode } from '../codes/resolver.js';
import { NotFoundError, ReferralError } from '../kernel/errors.js';
import { parseInput } from '../kernel/input.js';
import { writeConversion } from '../referrals/conversion.js';
import type { FenceRefusal } from '../referrals/fence.js';
import { type RecordConversionInput, recordConversionInputSchema } from '../referrals/inputs.js';
import type { ReferralRecord } from '../referrals/model.js';
import type { CallScope } from '../store/scope.js';
import type { AttributionDeps } from './deps.js';
import { type AttributeSaleInput, attributeSaleInputSchema, type TrackVisitInput, trackVisitInputSchema } from './inputs.js';
import { anchorReferrer, creditReferee } from './lead-anchor.js';
import { resolveReferrer } from './referrer-resolver.js';
import type { ReferralTouchRecord } from './touch.model.js';
import { recordTouch } from './touches.js';

/** A sale's attribution, telling a new sale (`created`) from a replay of a recorded one. */
export interface SaleOutcome {
  referral: ReferralRecord;
  created: boolean;
}

/**
 * Checkout in one call. The referrer is decided by the one rule (see resolveReferrer); with leads
 * on, a first sale records the referee's lead before the sale (see anchorReferrer); with
 * `binding: 'lifetime'` the first qualifying sale binds the referee. Null when nothing attributes
 * the sale, or when the fence refused it (code retired meanwhile, no conversions left, referrer suspended).
 */
export const attributeSaleWithOutcome = async (deps: AttributionDeps, scope: CallScope, input: AttributeSaleInput): Promise<SaleOutcome | null> => {
  const sale = parseInput(attributeSaleInputSchema, input, 'input');
  const resolution = await resolveReferrer(deps, scope, { code: sale.code, visitorId: sale.visitorId, referee: sale, sale, history: true });
  if ('replay' in resolution) return { referral: resolution.replay, created: false };
  if ('none' in resolution) return null;
  const anchored = await anchorReferrer(deps, scope, resolution, sale);
  if (!anchored) return null;
  const outcome = await writeConversion(deps, scope, anchored.referrer, sale, anchored.verdict);
  if (!('recorded' in outcome)) return null;
  // Binding and lead conversion only after a recorded sale, so a refused sale credits nobody.
  await creditReferee(deps, scope, anchored, outcome.recorded, sale);
  return { referral: outcome.recorded, created: outcome.created };
};

/** Checkout in one call (see attributeSaleWithOutcome): the referral, or null when nothing attributes the sale. */
export const attributeSale = async (deps: AttributionDeps, scope: CallScope, input: AttributeSaleInput): Promise<ReferralRecord | null> =>
  (await attributeSaleWithOutcome(deps, scope, input))?.referral ?? null;

const REFUSALS: { readonly [R in FenceRefusal]: () => ReferralError } = {
  referrer_suspended: () => new ReferralError('referrer_suspended', 'The referrer is suspended: no new sale is credited to them', 409),
  code_limit_reached: () => new ReferralError('code_limit_reached', 'The referral code has no conversions left', 409),
  code_expired: () => new NotFoundError('code_not_found', 'The referral code expired before the sale was recorded'),
  code_deactivated: () => new NotFoundError('code_not_found', 'The referral code was deactivated while the sale was recorded'),
};

/**
 * A sale by `code` or by a named referrer, recorded once per sale (`sourceModel` + `sourceRef`):
 * the same path as checkout without touches, leads or bindings, and a refusal is an error.
 */
export const recordConversion = async (deps: AttributionDeps, scope: CallScope, input: RecordConversionInput): Promise<ReferralRecord> => {
  const parsed = parseInput(recordConversionInputSchema, input, 'input');
  const named = parsed.referrerRef !== undefined && parsed.referrerModel !== undefined ? { ref: parsed.referrerRef, model: parsed.referrerModel } : undefined;
  const resolution = await resolveReferrer(deps, scope, { code: parsed.code, named, referee: parsed, sale: parsed });
  if ('replay' in resolution) return resolution.replay;
  if ('none' in resolution) throw new NotFoundError('code_not_found', 'No active referral code with that value in this tenant');
  const outcome = await writeConversion(deps, scope, resolution.referrer, parsed);
  if ('recorded' in outcome) return outcome.recorded;
  throw REFUSALS[outcome.refused]();
};

/** Records a visit through a referral code for later attribution by `visitorId`. Null for a code that cannot attribute. */
export const trackVisit = async (deps: AttributionDeps, scope: CallScope, input: TrackVisitInput): Promise<ReferralTouchRecord | null> => {
  const visit = parseInput(trackVisitInputSchema, input, 'input');
  const code = await resolveCode(deps, scope, visit.code);
  if (!code) return null;
  return recordTouch(deps, scope, {
    visitorId: visit.visitorId,
    codeId: code.codeId,
    code: code.code,
    ownerRef: code.ownerRef,
    ownerModel: code.ownerModel,
    at: visit.at ?? scope.now,
  });
};
