/** Every event type the engine emits. Definitions, README tables and tests derive from this. */
export const REFERRAL_EVENTS = {
  codeCreated: 'referral:code.created',
  codeDeactivated: 'referral:code.deactivated',
  converted: 'referral:converted',
  flagged: 'referral:flagged',
  approved: 'referral:approved',
  rejected: 'referral:rejected',
  reversed: 'referral:reversed',
  leadCreated: 'referral:lead.created',
  leadConverted: 'referral:lead.converted',
  referrerSuspended: 'referral:referrer.suspended',
  referrerResumed: 'referral:referrer.resumed',
} as const;

export type ReferralEventName = (typeof REFERRAL_EVENTS)[keyof typeof REFERRAL_EVENTS];

export const referralEventNames: readonly ReferralEventName[] = Object.values(REFERRAL_EVENTS);

export const EVENT_SOURCE = '@classytic/referral';
