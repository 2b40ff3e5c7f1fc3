import type { ReferralContext } from '../kernel/context.js';
import { parseInput } from '../kernel/input.js';
import { type ResumeReferrerInput, resumeReferrerInputSchema, type SuspendReferrerInput, suspendReferrerInputSchema } from '../referrers/inputs.js';
import type { ReferralReferrerRecord } from '../referrers/model.js';
import { resumeReferrer, suspendReferrer } from '../referrers/standing.js';
import type { EngineParts } from './wiring.js';

/** The engine's `referrers` member: a referrer's standing in a tenant. */
export interface ReferralReferrers {
  /**
   * `{ referrerRef, referrerModel?, reason }`: from its return on, no new sale or signup is
   * credited to them through any code, lead, binding or touch, in any process; recorded sales and
   * their replays stand. Emits `referral:referrer.suspended`; idempotent.
   */
  suspend(input: SuspendReferrerInput, ctx: ReferralContext): Promise<ReferralReferrerRecord>;
  /** `{ referrerRef, referrerModel? }`: credited again from now on; emits `referral:referrer.resumed`. Null if never suspended. */
  resume(input: ResumeReferrerInput, ctx: ReferralContext): Promise<ReferralReferrerRecord | null>;
}

export const createReferrersFacade = ({ deps }: EngineParts): ReferralReferrers => ({
  suspend: async (input, ctx) => {
    const scope = deps.open(ctx);
    const { reason, ...referrer } = parseInput(suspendReferrerInputSchema, input, 'input');
    return suspendReferrer(deps, scope, referrer, reason);
  },
  resume: async (input, ctx) => {
    const scope = deps.open(ctx);
    return resumeReferrer(deps, scope, parseInput(resumeReferrerInputSchema, input, 'input'));
  },
});
