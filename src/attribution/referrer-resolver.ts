import type { Types } from 'mongoose';
import { type CodeResolution, type ResolvedCode, readCode, resolveForSale } from '../codes/resolver.js';
import { storedCodeRefusal } from '../codes/slots.js';
import type { Ref } from '../kernel/ids.js';
import type { ReferralRecord } from '../referrals/model.js';
import type { Referrer } from '../referrals/referrer.js';
import { replayThroughRetiredCode, type SaleKey } from '../referrals/replay.js';
import { type CallScope, readTogether } from '../store/scope.js';
import type { ReferralBindingRecord } from './binding.model.js';
import { findBinding } from './bindings.js';
import type { AttributionDeps } from './deps.js';
import type { ReferralLeadRecord } from './lead.model.js';
import { findLead, type Referee } from './leads.js';
import { leadInWindow } from './policy.js';
import type { ReferralTouchRecord } from './touch.model.js';
import { decidingTouch } from './touches.js';

/** What a sale or a signup names: a code, a tracked visitor, or (recordConversion) a referrer outright. */
export interface ReferrerQuery {
  code?: string | undefined;
  visitorId?: string | undefined;
  named?: { ref: Ref; model: string } | undefined;
  referee: Referee;
  /** The sale being attributed (a signup has none): only a sale reads the code cache, which its fence re-checks, and answers a replay. */
  sale?: SaleKey | undefined;
  /** Honour the referee's lead and lifetime binding before what the call names (checkout). */
  history?: boolean;
}

/** Who gets the credit (with the lead and binding read on the way), the answer already recorded, or nobody and why. */
export type Resolution =
  | { referrer: Referrer; lead: ReferralLeadRecord | null; bound: ReferralBindingRecord | null }
  | { replay: ReferralRecord }
  | { none: 'code_not_found' | 'unattributed' };

type Candidate = Referrer | Exclude<Resolution, { referrer: Referrer }>;

const referrerFromCode = (code: ResolvedCode): Referrer => ({
  ref: code.ownerRef,
  model: code.ownerModel,
  codeId: code.codeId,
  code: code.code,
  maxConversions: code.maxConversions,
  attribution: { rule: 'code' },
});

const referrerFromTouch = (touch: ReferralTouchRecord, rule: 'first_touch' | 'last_touch'): Referrer => ({
  ref: touch.ownerRef,
  model: touch.ownerModel,
  codeId: touch.codeId,
  code: touch.code,
  attribution: { rule, visitorId: touch.visitorId, touchAt: touch.at },
});

type Credited = { referrerRef: Ref; referrerModel: string; codeId: Types.ObjectId | null; code: string | null };

export const referrerFrom = (record: Credited, rule: 'lead' | 'lifetime_binding'): Referrer => ({
  ref: record.referrerRef,
  model: record.referrerModel,
  codeId: record.codeId,
  code: record.code,
  attribution: { rule },
});

/** A code that can attribute names its owner; one that no longer can still answers a replay of a sale recorded through it. */
const fromCode = async (deps: AttributionDeps, scope: CallScope, query: ReferrerQuery, code: string): Promise<Candidate> => {
  const resolution: CodeResolution = query.sale ? await resolveForSale(deps, scope, code) : await readCode(deps, scope, code);
  if (resolution && 'usable' in resolution) return referrerFromCode(resolution.usable);
  const replay = resolution && query.sale ? await replayThroughRetiredCode(deps, scope, query.sale, code) : null;
  return replay ? { replay } : { none: 'code_not_found' };
};

/** What the call itself names: its code, else a named referrer, else the visitor's deciding touch. */
const candidateFor = async (deps: AttributionDeps, scope: CallScope, query: ReferrerQuery): Promise<Candidate> => {
  if (query.code !== undefined) return fromCode(deps, scope, query, query.code);
  if (query.named) return { ref: query.named.ref, model: query.named.model, codeId: null, code: null, attribution: { rule: 'named_referrer' } };
  const touch = query.visitorId === undefined ? null : await decidingTouch(deps, scope, query.visitorId);
  if (!touch) return { none: 'unattributed' };
  // A signup has no replay to answer: a visit through a code retired since stores nothing (a sale's fence voids it).
  if (!query.sale && !(await codeCanAttribute(deps, scope, touch.codeId))) return { none: 'unattributed' };
  return referrerFromTouch(touch, deps.policy.model);
};

/** Whether the code a visit went through can still attribute: one read by `_id`. */
const codeCanAttribute = async (deps: AttributionDeps, scope: CallScope, codeId: Types.ObjectId): Promise<boolean> =>
  // query: code.byId
  storedCodeRefusal(await deps.codes.findOne(scope.live({ _id: codeId }), { projection: { active: 1, expiresAt: 1 }, ...scope.options }), scope.now) === null;

/**
 * The one rule, in order: the referee's lead (within `leadWindowDays`) wins, unless
 * `leadPolicy: 'code'` and the call names a usable code; then a lifetime binding; then the code
 * the call names (or its named referrer); then the visitor's deciding touch. Lead and binding
 * count only with `history` (checkout); the reads are independent and sent together (in order inside a transaction).
 */
export const resolveReferrer = async (deps: AttributionDeps, scope: CallScope, query: ReferrerQuery): Promise<Resolution> => {
  const leads = query.history === true && deps.policy.leads;
  const lifetime = query.history === true && deps.policy.binding === 'lifetime';
  const [lead, bound, candidate] =
    leads || lifetime
      ? await readTogether(scope, [
          async () => (leads ? findLead(deps, scope, query.referee) : null),
          async () => (lifetime ? findBinding(deps, scope, query.referee.refereeRef, query.referee.refereeModel) : null),
          () => candidateFor(deps, scope, query),
        ])
      : [null, null, await candidateFor(deps, scope, query)];
  const codeNamed = 'ref' in candidate && candidate.attribution.rule === 'code';
  if (lead && leadInWindow(deps.policy, lead.signedUpAt, scope.now) && !(deps.policy.leadPolicy === 'code' && codeNamed)) {
    return { referrer: referrerFrom(lead, 'lead'), lead, bound };
  }
  if (bound) return { referrer: referrerFrom(bound, 'lifetime_binding'), lead, bound };
  return 'ref' in candidate ? { referrer: candidate, lead, bound } : candidate;
};
