import { type mongo, Types } from 'mongoose';
import type { Ref } from '../kernel/ids.js';
import type { WriteExecutor } from '../store/executor.js';
import type { RaceRule } from '../store/operations.js';
import type { CallScope } from '../store/scope.js';
import { referrerResumedEvent, referrerSuspendedEvent } from './events.js';
import type { ReferralReferrerRecord } from './model.js';

/** What the standing verbs need from the engine. */
export interface ReferrerDeps {
  writes: WriteExecutor;
  referrers: mongo.Collection<ReferralReferrerRecord>;
  /** After a suspension stood: the referrer's sales and signups still being decided are voided, and their holds released (wired by the engine). */
  afterSuspend: (scope: CallScope, referrer: ReferrerKey) => Promise<void>;
}

export type ReferrerKey = {
  referrerRef: Ref;
  referrerModel: string;
};

/** Two first suspensions at once: the unique index keeps one standing; the loser matches it and suspends it. */
const STANDING_RACE: RaceRule[] = [{ on: { keys: [['referrerRef', 'referrerModel']] }, retries: 2 }];

const actorOf = (scope: CallScope): string => (scope.ctx.actorId ? String(scope.ctx.actorId) : 'system');

/** The referrer's standing while it is a suspension, in the call's tenant (rf_referrer_unique): the one filter the fence reads by. */
export const suspendedStanding = (scope: CallScope, referrer: ReferrerKey) => scope.where({ ...referrer, suspendedAt: { $ne: null } });

/** Whether the referrer is suspended now: one indexed read (rf_referrer_unique). */
export const isSuspended = async (deps: Pick<ReferrerDeps, 'referrers'>, scope: CallScope, referrer: ReferrerKey): Promise<boolean> =>
  // query: referrer.byKey
  (await deps.referrers.findOne(suspendedStanding(scope, referrer), { projection: { _id: 1 }, ...scope.options })) !== null;

/**
 * Suspends a referrer in the call's tenant: from its return on, no new sale or signup is credited
 * to them (the fence re-reads the standing before a new record stands, and those still being
 * decided are voided here). Idempotent: suspending a suspended referrer changes nothing.
 */
export const suspendReferrer = async (deps: ReferrerDeps, scope: CallScope, referrer: ReferrerKey, reason: string): Promise<ReferralReferrerRecord> => {
  const { now } = scope;
  const by = actorOf(scope);
  const _id = new Types.ObjectId();
  const doc = { _id, ...referrer, suspendedAt: now, suspendedReason: reason, resumedAt: null, createdAt: now, updatedAt: now };
  // query: referrer.byKey
  const first = await deps.writes.insert<ReferralReferrerRecord>(
    scope,
    { collection: deps.referrers, match: referrer, among: 'all', doc, events: [referrerSuspendedEvent({ _id, ...referrer }, reason, by, now, scope.ctx)] },
    STANDING_RACE,
  );
  const standing = first.inserted
    ? first.doc
    : // query: referrer.byKey
      ((await deps.writes.update<ReferralReferrerRecord>(scope, {
        collection: deps.referrers,
        match: { _id: first.doc._id, suspendedAt: null },
        among: 'all',
        set: { suspendedAt: now, suspendedReason: reason, updatedAt: now },
        events: [referrerSuspendedEvent(first.doc, reason, by, now, scope.ctx)],
      })) ?? first.doc);
  // Run on a repeat too: a call cut off after its write still voids what was being decided.
  await deps.afterSuspend(scope, referrer);
  return standing;
};

/** Resumes a suspended referrer: new sales and signups are credited to them again. Null when they were never suspended. */
export const resumeReferrer = async (deps: ReferrerDeps, scope: CallScope, referrer: ReferrerKey): Promise<ReferralReferrerRecord | null> => {
  const { now } = scope;
  // query: referrer.byKey
  const current = await deps.referrers.findOne(scope.where(referrer), scope.read);
  if (!current || current.suspendedAt === null) return current;
  // query: referrer.byKey
  const resumed = await deps.writes.update<ReferralReferrerRecord>(scope, {
    collection: deps.referrers,
    match: { _id: current._id, suspendedAt: { $ne: null } },
    among: 'all',
    set: { suspendedAt: null, resumedAt: now, updatedAt: now },
    events: [referrerResumedEvent(current, actorOf(scope), now, scope.ctx)],
  });
  // query: referrer.byKey
  return resumed ?? deps.referrers.findOne(scope.where(referrer), scope.read);
};
