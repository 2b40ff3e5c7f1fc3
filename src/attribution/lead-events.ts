import { buildEvent, type EventScope } from '../events/definitions.js';
import { REFERRAL_EVENTS } from '../events/names.js';
import type { DomainEvent } from '../events/types.js';
import { saleMoney } from '../money/schema.js';
import type { ReferralRecord } from '../referrals/model.js';
import type { ReferralLeadRecord } from './lead.model.js';

type LeadParties = Pick<ReferralLeadRecord, '_id' | 'referrerRef' | 'referrerModel' | 'refereeRef' | 'refereeModel'>;

const leadPayload = (lead: LeadParties) => ({
  leadId: String(lead._id),
  referrerRef: String(lead.referrerRef),
  referrerModel: lead.referrerModel,
  refereeRef: String(lead.refereeRef),
  refereeModel: lead.refereeModel,
});

const subjectOf = (lead: LeadParties, change: string) => ({ resource: 'referral' as const, resourceId: String(lead._id), change: `lead:${change}` });

export const leadCreatedEvent = (
  lead: LeadParties & Pick<ReferralLeadRecord, 'codeId' | 'code' | 'attribution' | 'viaSale' | 'signedUpAt' | 'review'>,
  ctx: EventScope,
): DomainEvent => {
  const { touchAt } = lead.attribution;
  return buildEvent(
    REFERRAL_EVENTS.leadCreated,
    {
      ...leadPayload(lead),
      ...(lead.codeId ? { codeId: String(lead.codeId) } : {}),
      ...(lead.code ? { code: lead.code } : {}),
      attribution: { rule: lead.attribution.rule, ...(touchAt ? { touchAt: touchAt.toISOString() } : {}) },
      viaSale: lead.viaSale,
      ...(lead.review?.flagged ? { flagged: true } : {}),
      signedUpAt: lead.signedUpAt.toISOString(),
    },
    ctx,
    subjectOf(lead, 'created'),
  );
};

export const leadConvertedEvent = (lead: LeadParties, referral: ReferralRecord, at: Date, ctx: EventScope): DomainEvent =>
  buildEvent(
    REFERRAL_EVENTS.leadConverted,
    {
      ...leadPayload(lead),
      referralId: String(referral._id),
      sourceRef: String(referral.sourceRef),
      sourceModel: referral.sourceModel,
      firstForReferee: true,
      ...saleMoney(referral),
      ...(referral.metadata ? { metadata: referral.metadata } : {}),
      convertedAt: at.toISOString(),
    },
    ctx,
    subjectOf(lead, 'converted'),
  );
