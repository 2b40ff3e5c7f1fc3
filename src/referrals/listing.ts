import { findAll } from '../kernel/cursor.js';
import type { Ref } from '../kernel/ids.js';
import type { CallScope } from '../store/scope.js';
import { type ReferralDeps, referralCollection } from './deps.js';
import { afterPosition, decodeCursor, encodeCursor } from './list-cursor.js';
import type { ReferralRecord } from './model.js';
import type { ReferralStatus } from './status.js';

export interface ReferralPage {
  items: ReferralRecord[];
  /** Pass as `after` for the next page; null on the last page. */
  next: string | null;
}

export interface PageRequest {
  status?: ReferralStatus | undefined;
  limit: number;
  after?: string | undefined;
}

/** A referrer's referrals, newest first, by keyset pagination (no skip). */
export const listReferrals = async (deps: ReferralDeps, scope: CallScope, referrerRef: Ref, page: PageRequest): Promise<ReferralPage> => {
  const { status, limit, after } = page;
  const filter = scope.live({ referrerRef, ...(status ? { status } : {}), ...(after ? afterPosition(decodeCursor(after)) : {}) });
  const options = { ...scope.read, sort: { createdAt: -1, _id: -1 } as const, limit: limit + 1 };
  const docs = status
    ? // query: referral.byReferrerStatus
      await findAll(referralCollection(deps), filter, options)
    : // query: referral.byReferrer
      await findAll(referralCollection(deps), filter, options);
  const items = docs.slice(0, limit);
  const last = items.at(-1);
  return { items, next: docs.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last._id }) : null };
};
