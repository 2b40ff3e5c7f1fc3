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
  /** The sale's amount in minor units (null: the host does not track amounts), with its ISO 4217 `currency`. */
  amount: number | null;
  currency: string | null;
  metadata: Record<string, unknown> | null;
}
