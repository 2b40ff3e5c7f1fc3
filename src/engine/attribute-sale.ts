import type { ReferralContext } from '../core/context.js';
import type { ReferralRecord } from '../models/referral.model.js';
import type { ReferralTouchRecord } from '../models/touch.model.js';
import { bindReferee, decidingTouch, findBinding, recordTouch, referrerFromBinding, referrerFromTouch } from '../repositories/attribution.js';
import { resolveCode } from '../repositories/code-resolver.js';
import { type Referrer, writeConversion } from '../repositories/conversion-writer.js';
import { type AttributeSaleInput, attributeSaleInputSchema, type TrackVisitInput, trackVisitInputSchema } from '../schemas/inputs.js';
import { parseInput } from '../schemas/parse.js';
import type { EngineRuntime, TenantFilter } from './runtime.js';

type ParsedSale = ReturnType<typeof attributeSaleInputSchema.parse>;

/** The referrer this sale names: its code, else the visitor's deciding touch. */
const candidateFor = async (runtime: EngineRuntime, scope: TenantFilter, sale: ParsedSale, ctx: ReferralContext | undefined): Promise<Referrer | null> => {
  if (sale.code !== undefined) {
    const code = await resolveCode(runtime, scope, sale.code, ctx);
    return code ? { ref: code.ownerRef, model: code.ownerModel, codeId: code.codeId, code: code.code, maxConversions: code.maxConversions, attribution: { rule: 'code' } } : null;
  }
  if (sale.visitorId === undefined) return null;
  const touch = await decidingTouch(runtime, scope, sale.visitorId, ctx);
  return touch ? referrerFromTouch(touch, runtime.attribution.model) : null;
};

/**
 * Checkout in one call. The referrer is the code's owner (a typed code beats any touch), else the visitor's first or last
 * touch in the window; with `binding: 'lifetime'` a referee already bound to a referrer stays
 * theirs, and the first recorded sale binds them. Null when nothing attributes the sale.
 */
export const attributeSale = async (runtime: EngineRuntime, input: AttributeSaleInput, ctx: ReferralContext | undefined): Promise<ReferralRecord | null> => {
  const scope = runtime.scope(ctx);
  const sale = parseInput(attributeSaleInputSchema, input, 'input');
  const lifetime = runtime.attribution.binding === 'lifetime';
  const bound = lifetime ? await findBinding(runtime, scope, sale.refereeRef, sale.refereeModel, ctx) : null;
  const referrer = bound ? referrerFromBinding(bound) : await candidateFor(runtime, scope, sale, ctx);
  if (!referrer) return null;
  const outcome = await writeConversion(runtime, scope, referrer, sale, ctx);
  if (!('recorded' in outcome)) return null;
  // First bind wins: binding only after a recorded sale, so a refused sale binds nobody.
  if (lifetime && !bound) await bindReferee(runtime, scope, referrer, sale, ctx);
  return outcome.recorded;
};

/** Records a visit through a referral code for later attribution by `visitorId`. Null for a code that cannot attribute. */
export const trackVisit = async (runtime: EngineRuntime, input: TrackVisitInput, ctx: ReferralContext | undefined): Promise<ReferralTouchRecord | null> => {
  const scope = runtime.scope(ctx);
  const visit = parseInput(trackVisitInputSchema, input, 'input');
  const code = await resolveCode(runtime, scope, visit.code, ctx);
  if (!code) return null;
  return recordTouch(runtime, scope, { visitorId: visit.visitorId, codeId: code.codeId, code: code.code, ownerRef: code.ownerRef, ownerModel: code.ownerModel, at: visit.at ?? new Date() }, ctx);
};
