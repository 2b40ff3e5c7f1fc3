/**
 * Every query the engine sends, by shape. Each call site in src/ carries a `// query: <name>`
 * comment naming its shape; tests check that each shape is served by a declared index (unit)
 * and that MongoDB's planner agrees (explain, against a real mongod).
 */
export type OwnedCollection =
  | 'referral_codes'
  | 'referrals'
  | 'referral_touches'
  | 'referral_bindings'
  | 'referral_leads'
  | 'referral_referrers'
  | 'referral_rollups';

export interface QueryShape {
  name: string;
  /** Where the query runs and the index the planner should pick there (`_id_` is implicit). */
  targets: readonly { collection: OwnedCollection; index: string }[];
  /** Equality fields besides the tenant (which every tenant-scoped query also has). */
  equality: readonly string[];
  /** Range fields (`$lt`, `$lte`, ...), after the equality fields. */
  range?: readonly string[];
  /** Sort fields, in order. */
  sort?: readonly string[];
  /** Cross-tenant system queries (the relay, acks by _id) carry no tenant equality. */
  tenantScoped: boolean;
  /** On the checkout path or a per-request listing. */
  hot: boolean;
}

const codes = (index: string) => [{ collection: 'referral_codes' as const, index }];
const referrals = (index: string) => [{ collection: 'referrals' as const, index }];
const touches = (index: string) => [{ collection: 'referral_touches' as const, index }];
const bindings = (index: string) => [{ collection: 'referral_bindings' as const, index }];
const leads = (index: string) => [{ collection: 'referral_leads' as const, index }];
const referrers = (index: string) => [{ collection: 'referral_referrers' as const, index }];
const rollups = (index: string) => [{ collection: 'referral_rollups' as const, index }];

export const QUERY_SHAPES: readonly QueryShape[] = [
  { name: 'code.byFolded', targets: codes('rf_code_folded_unique'), equality: ['foldedCode'], tenantScoped: true, hot: true },
  { name: 'code.byCodeLive', targets: codes('rf_code_unique'), equality: ['code', 'deletedAt'], tenantScoped: true, hot: false },
  {
    name: 'code.byOwner',
    targets: codes('rf_code_owner_active_unique'),
    equality: ['ownerModel', 'ownerRef', 'kind', 'active', 'deletedAt'],
    tenantScoped: true,
    hot: true,
  },
  { name: 'code.byId', targets: codes('_id_'), equality: ['_id'], tenantScoped: true, hot: true },
  // The fence: the code by _id, with the referrer's standing looked up (referrer.byKey) in the same command.
  { name: 'code.byIdWithStanding', targets: codes('_id_'), equality: ['_id', 'deletedAt'], tenantScoped: true, hot: true },
  {
    name: 'referral.bySource',
    targets: referrals('rf_referral_source_unique'),
    equality: ['sourceModel', 'sourceRef', 'deletedAt'],
    tenantScoped: true,
    hot: true,
  },
  { name: 'referral.byId', targets: referrals('_id_'), equality: ['_id'], tenantScoped: true, hot: true },
  { name: 'referral.byReferee', targets: referrals('rf_referral_referee_pair'), equality: ['refereeRef'], tenantScoped: true, hot: false },
  { name: 'code.byOwnerAll', targets: codes('rf_code_owner_all'), equality: ['ownerRef', 'ownerModel'], tenantScoped: true, hot: false },
  {
    name: 'referral.byPair',
    targets: referrals('rf_referral_referee_pair'),
    equality: ['refereeRef', 'referrerRef', 'deletedAt'],
    tenantScoped: true,
    hot: true,
  },
  {
    name: 'referral.byReferrer',
    targets: referrals('rf_referral_referrer_recent'),
    equality: ['referrerRef', 'deletedAt'],
    sort: ['createdAt', '_id'],
    tenantScoped: true,
    hot: true,
  },
  {
    name: 'referral.byReferrerStatus',
    targets: referrals('rf_referral_referrer_status_recent'),
    equality: ['referrerRef', 'status', 'deletedAt'],
    sort: ['createdAt', '_id'],
    tenantScoped: true,
    hot: true,
  },
  {
    name: 'lead.byReferrerStatus',
    targets: leads('rf_lead_referrer_status_recent'),
    equality: ['referrerRef', 'status', 'deletedAt'],
    sort: ['createdAt', '_id'],
    tenantScoped: true,
    hot: true,
  },
  {
    name: 'referral.byConvertedAt',
    targets: referrals('rf_referral_converted_at'),
    equality: ['deletedAt'],
    range: ['convertedAt'],
    tenantScoped: true,
    hot: false,
  },
  { name: 'touch.byVisitor', targets: touches('rf_touch_visitor_recent'), equality: ['visitorId'], range: ['at'], sort: ['at'], tenantScoped: true, hot: true },
  { name: 'binding.byReferee', targets: bindings('rf_binding_referee_unique'), equality: ['refereeRef', 'refereeModel'], tenantScoped: true, hot: true },
  { name: 'referral.byReferrerAll', targets: referrals('rf_referral_referrer_recent'), equality: ['referrerRef'], tenantScoped: true, hot: false },
  { name: 'binding.byReferrer', targets: bindings('rf_binding_referrer'), equality: ['referrerRef', 'referrerModel'], tenantScoped: true, hot: false },
  { name: 'touch.byOwner', targets: touches('rf_touch_owner_recent'), equality: ['ownerRef', 'ownerModel'], tenantScoped: true, hot: false },
  { name: 'lead.byReferee', targets: leads('rf_lead_referee_unique'), equality: ['refereeRef', 'refereeModel', 'deletedAt'], tenantScoped: true, hot: true },
  { name: 'lead.byId', targets: leads('_id_'), equality: ['_id'], tenantScoped: true, hot: true },
  { name: 'lead.byRefereeAnyModel', targets: leads('rf_lead_referee_all'), equality: ['refereeRef'], tenantScoped: true, hot: false },
  { name: 'lead.byReferrer', targets: leads('rf_lead_referrer_recent'), equality: ['referrerRef'], sort: ['createdAt', '_id'], tenantScoped: true, hot: true },
  {
    name: 'lead.byReferrerSignedUp',
    targets: leads('rf_lead_referrer_signed_up'),
    equality: ['referrerRef', 'referrerModel'],
    range: ['signedUpAt'],
    tenantScoped: true,
    hot: false,
  },
  { name: 'lead.byCodeSignedUp', targets: leads('rf_lead_code_signed_up'), equality: ['codeId'], range: ['signedUpAt'], tenantScoped: true, hot: false },
  { name: 'touch.byOwnerAt', targets: touches('rf_touch_owner_recent'), equality: ['ownerRef', 'ownerModel'], range: ['at'], tenantScoped: true, hot: false },
  { name: 'touch.byCodeAt', targets: touches('rf_touch_code_recent'), equality: ['codeId'], range: ['at'], tenantScoped: true, hot: false },
  {
    name: 'referral.byReferrerCreated',
    targets: referrals('rf_referral_referrer_recent'),
    equality: ['referrerRef'],
    range: ['createdAt'],
    tenantScoped: true,
    hot: false,
  },
  { name: 'referral.byCodeCreated', targets: referrals('rf_referral_code_recent'), equality: ['codeId'], range: ['createdAt'], tenantScoped: true, hot: false },
  { name: 'binding.byRefereeAnyModel', targets: bindings('rf_binding_referee_unique'), equality: ['refereeRef'], tenantScoped: true, hot: false },
  {
    name: 'outbox.pending',
    targets: [
      ...codes('rf_code_pending_events'),
      ...referrals('rf_referral_pending_events'),
      ...leads('rf_lead_pending_events'),
      ...referrers('rf_referrer_pending_events'),
    ],
    equality: [],
    range: ['pendingEventsAt'],
    sort: ['pendingEventsAt'],
    tenantScoped: false,
    hot: false,
  },
  {
    name: 'outbox.parked',
    targets: [
      ...codes('rf_code_parked_events'),
      ...referrals('rf_referral_parked_events'),
      ...leads('rf_lead_parked_events'),
      ...referrers('rf_referrer_parked_events'),
    ],
    equality: [],
    range: ['parkedEventsAt'],
    sort: ['parkedEventsAt'],
    tenantScoped: false,
    hot: false,
  },
  { name: 'referral.undecidedByCode', targets: referrals('rf_referral_code_recent'), equality: ['codeId'], tenantScoped: true, hot: false },
  {
    name: 'record.unconfirmed',
    targets: [...referrals('rf_referral_unconfirmed'), ...leads('rf_lead_unconfirmed')],
    equality: [],
    range: ['unconfirmedAt'],
    tenantScoped: false,
    hot: false,
  },
  { name: 'referral.heldByReferrer', targets: referrals('rf_referral_referrer_recent'), equality: ['referrerRef'], tenantScoped: true, hot: false },
  { name: 'referral.undecidedByReferrer', targets: referrals('rf_referral_referrer_recent'), equality: ['referrerRef'], tenantScoped: true, hot: false },
  { name: 'lead.undecidedByCode', targets: leads('rf_lead_code_signed_up'), equality: ['codeId'], tenantScoped: true, hot: false },
  { name: 'lead.undecidedByReferrer', targets: leads('rf_lead_referrer_recent'), equality: ['referrerRef'], tenantScoped: true, hot: false },
  {
    name: 'referral.reviewQueue',
    targets: referrals('rf_referral_review_queue'),
    equality: ['status', 'reviewRequired', 'deletedAt'],
    sort: ['convertedAt', '_id'],
    tenantScoped: true,
    hot: false,
  },
  {
    name: 'referral.holdDue',
    targets: referrals('rf_referral_hold_due'),
    equality: ['status', 'deletedAt'],
    range: ['holdUntil'],
    tenantScoped: true,
    hot: false,
  },
  { name: 'referrer.byKey', targets: referrers('rf_referrer_unique'), equality: ['referrerRef', 'referrerModel'], tenantScoped: true, hot: true },
  {
    name: 'record.byId',
    targets: [...codes('_id_'), ...referrals('_id_'), ...leads('_id_'), ...referrers('_id_')],
    equality: ['_id'],
    tenantScoped: true,
    hot: false,
  },
  {
    name: 'record.byActor',
    targets: [...codes('rf_code_actors'), ...referrals('rf_referral_actors'), ...leads('rf_lead_actors'), ...referrers('rf_referrer_actors')],
    equality: ['actors'],
    tenantScoped: true,
    hot: false,
  },
  { name: 'referral.changedSince', targets: referrals('rf_referral_changed'), equality: [], range: ['changedAt'], tenantScoped: true, hot: false },
  {
    name: 'referral.changedByReferrer',
    targets: referrals('rf_referral_referrer_changed'),
    equality: ['referrerRef'],
    range: ['changedAt'],
    tenantScoped: true,
    hot: false,
  },
  {
    name: 'lead.changedByReferrer',
    targets: leads('rf_lead_referrer_changed'),
    equality: ['referrerRef'],
    range: ['changedAt'],
    tenantScoped: true,
    hot: false,
  },
  { name: 'rollup.byKey', targets: rollups('rf_rollup_unique'), equality: ['referrerRef', 'referrerModel', 'day'], tenantScoped: true, hot: false },
  { name: 'rollup.byReferrer', targets: rollups('rf_rollup_unique'), equality: ['referrerRef'], tenantScoped: true, hot: false },
  {
    name: 'rollup.byReferrerDays',
    targets: rollups('rf_rollup_unique'),
    equality: ['referrerRef', 'referrerModel'],
    range: ['day'],
    tenantScoped: true,
    hot: false,
  },
  { name: 'rollup.byDay', targets: rollups('rf_rollup_day'), equality: [], range: ['day'], tenantScoped: true, hot: false },
  {
    name: 'outbox.ack',
    targets: [...codes('_id_'), ...referrals('_id_'), ...leads('_id_'), ...referrers('_id_')],
    equality: ['_id'],
    tenantScoped: false,
    hot: false,
  },
];
