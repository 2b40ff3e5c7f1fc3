import { z } from 'zod';
import { findAll } from '../kernel/cursor.js';
import type { Ref } from '../kernel/ids.js';
import { afterPosition, decodeCursor, encodeCursor } from '../referrals/list-cursor.js';
import type { CallScope } from '../store/scope.js';
import type { AttributionDeps } from './deps.js';
import type { ReferralLeadRecord } from './lead.model.js';

export const listLeadsOptionsSchema = z.strictObject({
  /** `signed_up` (joined, not bought yet) or `converted` (has bought). */
  status: z.enum(['signed_up', 'converted']).optional(),
  limit: z.number().int().min(1).max(100).default(20),
  after: z.string().min(1).max(200).optional(),
});

export type ListLeadsOptions = z.input<typeof listLeadsOptionsSchema>;

export interface LeadPage {
  items: ReferralLeadRecord[];
  /** Pass as `after` for the next page; null on the last page. */
  next: string | null;
}

/** A referrer's "my friends" page, newest first, by keyset pagination (no skip). */
export const listLeads = async (
  deps: AttributionDeps,
  scope: CallScope,
  referrerRef: Ref,
  options: z.output<typeof listLeadsOptionsSchema>,
): Promise<LeadPage> => {
  const { status, limit, after } = options;
  const filter = scope.live({ referrerRef, ...(status ? { status } : {}), ...(after ? afterPosition(decodeCursor(after)) : {}) });
  const find = { ...scope.read, sort: { createdAt: -1, _id: -1 } as const, limit: limit + 1 };
  const docs = status
    ? // query: lead.byReferrerStatus
      await findAll(deps.leads.collection, filter, find)
    : // query: lead.byReferrer
      await findAll(deps.leads.collection, filter, find);
  const items = docs.slice(0, limit);
  const last = items.at(-1);
  return { items, next: docs.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last._id }) : null };
};
