import { z } from 'zod';
import type { Ref } from '../kernel/ids.js';
import { keysetPage, type Page } from '../store/keyset-page.js';
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

export type LeadPage = Page<ReferralLeadRecord>;

/** A referrer's "my friends" page, newest first, by keyset pagination (no skip). */
export const listLeads = (deps: AttributionDeps, scope: CallScope, referrerRef: Ref, options: z.output<typeof listLeadsOptionsSchema>): Promise<LeadPage> =>
  options.status
    ? // query: lead.byReferrerStatus
      keysetPage(deps.leads, scope, { referrerRef, status: options.status }, options)
    : // query: lead.byReferrer
      keysetPage(deps.leads, scope, { referrerRef }, options);
