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

/** The parties of a referral about to be recorded, as `draftOf` reads them. */
interface DraftParties {
  refereeRef: Ref;
  refereeModel: string;
  sourceRef: Ref;
  sourceModel: string;
  metadata?: Record<string, unknown> | undefined;
}

/** The one way a sale or a signup becomes the draft its guards and review hooks see. */
export const draftOf = (referrer: { ref: Ref; model: string; code: string | null }, parties: DraftParties): ReferralDraft => ({
  referrerRef: referrer.ref,
  referrerModel: referrer.model,
  refereeRef: parties.refereeRef,
  refereeModel: parties.refereeModel,
  sourceRef: parties.sourceRef,
  sourceModel: parties.sourceModel,
  code: referrer.code,
  metadata: parties.metadata ?? null,
});
