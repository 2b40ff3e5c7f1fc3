import type { Types } from 'mongoose';
import type { z } from 'zod';
import type { attributionRuleSchema } from '../events/payloads.js';
import type { Ref } from '../kernel/ids.js';

/** How the referrer of a sale was found; stored on the referral and in `referral:converted`. */
export type AttributionRule = z.infer<typeof attributionRuleSchema>;

export interface ReferralAttribution {
  rule: AttributionRule;
  visitorId?: string;
  touchAt?: Date;
}

/** Who gets credit for a sale, however they were found (see attribution/referrer-resolver.ts). */
export interface Referrer {
  ref: Ref;
  model: string;
  codeId: Types.ObjectId | null;
  code: string | null;
  /** The code's conversion limit, when it has one. */
  maxConversions?: number | null;
  attribution: ReferralAttribution;
}
