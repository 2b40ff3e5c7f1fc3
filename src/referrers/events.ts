import { buildEvent, type EventScope } from '../events/definitions.js';
import { REFERRAL_EVENTS } from '../events/names.js';
import type { DomainEvent } from '../events/types.js';
import type { ReferralReferrerRecord } from './model.js';

type Subject = Pick<ReferralReferrerRecord, '_id' | 'referrerRef' | 'referrerModel'>;

const referrerPayload = (doc: Subject) => ({ referrerId: String(doc._id), referrerRef: String(doc.referrerRef), referrerModel: doc.referrerModel });

/** Each suspension and resumption is its own change: keyed by its instant, so a later one is never taken for a replay. */
const subjectOf = (doc: Subject, change: string, at: Date) => ({
  resource: 'referral_referrer' as const,
  resourceId: String(doc._id),
  change: `${change}:${at.getTime()}`,
});

export const referrerSuspendedEvent = (doc: Subject, reason: string, by: string, at: Date, ctx: EventScope): DomainEvent =>
  buildEvent(
    REFERRAL_EVENTS.referrerSuspended,
    { ...referrerPayload(doc), reason, suspendedBy: by, suspendedAt: at.toISOString() },
    ctx,
    subjectOf(doc, 'suspended', at),
  );

export const referrerResumedEvent = (doc: Subject, by: string, at: Date, ctx: EventScope): DomainEvent =>
  buildEvent(REFERRAL_EVENTS.referrerResumed, { ...referrerPayload(doc), resumedBy: by, resumedAt: at.toISOString() }, ctx, subjectOf(doc, 'resumed', at));
