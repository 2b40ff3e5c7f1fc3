import type { Ref } from '../kernel/ids.js';
import { keysetPage, type Page } from '../store/keyset-page.js';
import type { CallScope } from '../store/scope.js';
import type { ReferralDeps } from './deps.js';
import type { ReferralRecord } from './model.js';
import type { ReferralStatus } from './status.js';

export type ReferralPage = Page<ReferralRecord>;

export interface PageRequest {
  status?: ReferralStatus | undefined;
  limit: number;
  after?: string | undefined;
}

/** A referrer's referrals, newest first, by keyset pagination (no skip). */
export const listReferrals = (deps: ReferralDeps, scope: CallScope, referrerRef: Ref, page: PageRequest): Promise<ReferralPage> =>
  page.status
    ? // query: referral.byReferrerStatus
      keysetPage(deps.referrals, scope, { referrerRef, status: page.status }, page)
    : // query: referral.byReferrer
      keysetPage(deps.referrals, scope, { referrerRef }, page);
