import { buildEvent, deferredEvent, type EventScope } from '../events/definitions.js';
import { REFERRAL_EVENTS } from '../events/names.js';
import type { ConvertedPayload } from '../events/payloads.js';
import type { DomainEvent } from '../events/types.js';
import type { GuardVerdict } from '../guards/types.js';
import type { ReferralDraft } from '../kernel/draft.js';
import { isQualifying, saleMoney } from '../money/schema.js';
import type { EventExpander } from '../store/outbox/embedded-outbox.js';
import type { ReferralDecision, ReferralRecord } from './model.js';
import type { ReferralAttribution, Referrer } from './referrer.js';

type Parties = Pick<ReferralRecord, '_id' | 'referrerRef' | 'referrerModel' | 'refereeRef' | 'refereeModel' | 'sourceRef' | 'sourceModel'>;

/** The parties every referral event carries, as strings. */
const partiesPayload = (doc: Parties) => ({
  referralId: String(doc._id),
  referrerRef: String(doc.referrerRef),
  referrerModel: doc.referrerModel,
  refereeRef: String(doc.refereeRef),
  refereeModel: doc.refereeModel,
  sourceRef: String(doc.sourceRef),
  sourceModel: doc.sourceModel,
});

const subjectOf = (doc: Pick<Parties, '_id'>, change: string) => ({ resource: 'referral' as const, resourceId: String(doc._id), change });

export interface ConversionFacts {
  draft: ReferralDraft & Pick<Parties, '_id'>;
  referrer: Referrer;
  underReview: boolean;
  verdict: GuardVerdict | null;
  at: Date;
}

/** What `referral:converted` reports: every field is kept on the referral but `underReview`. */
type ConvertedRecord = Parties &
  Pick<ReferralRecord, 'codeId' | 'code' | 'amount' | 'currency' | 'metadata' | 'convertedAt'> & {
    review?: GuardVerdict | null;
    attribution?: ReferralAttribution | null;
  };

/** The `referral:converted` payload, as emitted and as rebuilt from the stored referral; built by assignment, as it runs on every sale. */
const convertedPayload = (record: ConvertedRecord, underReview: boolean): ConvertedPayload => {
  const payload: ConvertedPayload = partiesPayload(record) as ConvertedPayload;
  if (record.codeId) payload.codeId = String(record.codeId);
  if (record.code) payload.code = record.code;
  Object.assign(payload, saleMoney(record));
  payload.qualifying = isQualifying(record);
  payload.status = 'converted';
  payload.underReview = underReview;
  if (record.review?.flagged) payload.flagged = true;
  const touchAt = record.attribution?.touchAt;
  payload.attribution = touchAt ? { rule: record.attribution?.rule ?? 'code', touchAt: touchAt.toISOString() } : { rule: record.attribution?.rule ?? 'code' };
  if (record.metadata) payload.metadata = record.metadata;
  payload.convertedAt = record.convertedAt.toISOString();
  return payload;
};

/** `referral:converted` is stored compact on its referral: only `underReview` is not on the document. */
export const convertedExpander: EventExpander = {
  facts: { underReview: false },
  timestampField: 'convertedAt',
  rebuild: (document, facts) => ({
    payload: convertedPayload(document as ReferralRecord, facts.underReview === true),
    subject: subjectOf(document as ReferralRecord, 'converted'),
  }),
};

/** `referral:converted`, and `referral:flagged` when a guard flagged the sale. */
export const conversionEvents = (facts: ConversionFacts, ctx: EventScope): DomainEvent[] => {
  const { draft, referrer, verdict, at } = facts;
  const { _id, referrerRef, referrerModel, refereeRef, refereeModel, sourceRef, sourceModel, amount, currency, metadata } = draft;
  const record: ConvertedRecord = {
    _id,
    referrerRef,
    referrerModel,
    refereeRef,
    refereeModel,
    sourceRef,
    sourceModel,
    amount,
    currency,
    metadata,
    codeId: referrer.codeId,
    code: referrer.code,
    review: verdict,
    attribution: referrer.attribution,
    convertedAt: at,
  };
  // Built on first read: a replay, which publishes nothing, never builds it.
  const preview = { convertedAt: at.toISOString(), underReview: facts.underReview };
  const converted = deferredEvent(
    REFERRAL_EVENTS.converted,
    () => convertedPayload(record, facts.underReview),
    preview,
    ctx,
    subjectOf(draft, 'converted'),
    at,
  );
  if (!verdict?.flagged) return [converted];
  const reasons = verdict.results.filter((r) => r.outcome === 'flag').map((r) => r.reason ?? r.rule);
  const flagged = buildEvent(
    REFERRAL_EVENTS.flagged,
    { ...partiesPayload(draft), status: 'converted', rules: verdict.rules, reasons, flaggedAt: at.toISOString() },
    ctx,
    subjectOf(draft, 'flagged'),
  );
  return [converted, flagged];
};

/** `referral:approved` or `referral:rejected`, once the referral settles. */
export const decisionEvent = (current: ReferralRecord, to: 'approved' | 'rejected', decision: ReferralDecision, ctx: EventScope): DomainEvent => {
  const base = { ...partiesPayload(current), decidedBy: decision.decidedBy, decidedAt: decision.decidedAt.toISOString() };
  const subject = subjectOf(current, to);
  return to === 'approved'
    ? buildEvent(REFERRAL_EVENTS.approved, { ...base, status: 'approved', ...(decision.note ? { note: decision.note } : {}) }, ctx, subject)
    : buildEvent(REFERRAL_EVENTS.rejected, { ...base, status: 'rejected', reason: decision.reason as string }, ctx, subject);
};

export interface ReversalFacts {
  status: 'converted' | 'approved' | 'reversed';
  refundKey: string;
  reason: string;
  amount: number | undefined;
  reversedAmount: number | undefined;
  convertedAmount: number | undefined;
  currency: string | null;
  fullyReversed: boolean;
  reversedBy: string;
  at: Date;
}

const definedOnly = (fields: Record<string, number | undefined>) => Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));

export const reversalEvent = (current: ReferralRecord, facts: ReversalFacts, ctx: EventScope): DomainEvent =>
  buildEvent(
    REFERRAL_EVENTS.reversed,
    {
      ...partiesPayload(current),
      status: facts.status,
      refundKey: facts.refundKey,
      reason: facts.reason,
      ...definedOnly({ amount: facts.amount, reversedAmount: facts.reversedAmount, convertedAmount: facts.convertedAmount }),
      ...(facts.convertedAmount !== undefined && facts.currency ? { currency: facts.currency } : {}),
      fullyReversed: facts.fullyReversed,
      reversedBy: facts.reversedBy,
      reversedAt: facts.at.toISOString(),
    },
    ctx,
    subjectOf(current, `reversed:${facts.refundKey}`),
  );
