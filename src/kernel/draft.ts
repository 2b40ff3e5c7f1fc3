import type { Ref } from './ids.js';

/** A referral about to be recorded: what review hooks and fraud guards see. */
export interface ReferralDraft {
  referrerRef: Ref;
  referrerModel: string;
  refereeRef: Ref;
  refereeModel: string;
  sourceRef: Ref;
  sourceModel: string;
  code: string | null;
  metadata: Record<string, unknown> | null;
}
