import { z } from 'zod';
import type { ReferralContext } from '../kernel/context.js';
import type { ReferralDraft } from '../kernel/draft.js';
import type { Ref } from '../kernel/ids.js';

/** What a guard may decide; the pipeline refuses anything else. */
export const GUARD_OUTCOMES = ['accept', 'flag', 'reject'] as const;

export type GuardOutcome = (typeof GUARD_OUTCOMES)[number];

export interface GuardDecision {
  outcome: GuardOutcome;
  /** Stable rule id, stored on the record and in events (`same_email`, `referral_loop`, ...). */
  rule: string;
  reason?: string;
}

/** Identity hints the host passes at checkout; used by guards, never stored. */
export const identitySignalsSchema = z.strictObject({
  refereeEmail: z.string().trim().max(320).optional(),
  referrerEmail: z.string().trim().max(320).optional(),
});

export type IdentitySignals = z.infer<typeof identitySignalsSchema>;

export interface GuardInput extends ReferralDraft {
  signals: IdentitySignals;
}

export interface GuardContext {
  ctx: ReferralContext | undefined;
  /** Whether a live referral exists from `referrerRef` to `refereeRef` in this tenant (one indexed read). */
  hasReferral(pair: { referrerRef: Ref; refereeRef: Ref }): Promise<boolean>;
}

export type FraudGuard = (input: GuardInput, context: GuardContext) => GuardDecision | Promise<GuardDecision>;

/** What the pipeline decided, stored on the referral as `review`. */
export interface GuardVerdict {
  outcome: GuardOutcome;
  flagged: boolean;
  /** Rule ids that flagged or rejected. */
  rules: string[];
  results: GuardDecision[];
  decidedAt: Date;
}
