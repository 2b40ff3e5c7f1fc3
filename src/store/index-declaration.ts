import type { Schema } from 'mongoose';
import { type ResolvedTenant, withTenantKey } from '../kernel/tenant.js';

/** Every index this package owns is named with this prefix; syncIndexes only ever drops those. */
export const OWNED_INDEX_PREFIX = 'rf_';

export interface IndexDeclaration {
  name: string;
  keys: Record<string, 1 | -1>;
  unique?: boolean;
  partialFilterExpression?: Record<string, unknown>;
  expireAfterSeconds?: number;
  /** The query this index serves, in words; README and the index tests read it. */
  serves: string;
}

/** Registers the declarations on a mongoose schema, so `Model.listIndexes()`-style tooling sees them. */
export const applyIndexes = (schema: Schema, declarations: readonly IndexDeclaration[]): void => {
  for (const { keys, serves: _serves, ...options } of declarations) schema.index(keys, options);
};

/** Soft delete: live records have `deletedAt: null`; partial indexes cover only those. */
export const LIVE = { deletedAt: null } as const;

/**
 * redeliver / startRelay: { pendingEventsAt: { $lte: cutoff } } across tenants, oldest first.
 * Single-field and partial, so it only holds documents whose events are not yet acknowledged.
 */
export const pendingEventsIndex = (collection: string): IndexDeclaration => ({
  name: `rf_${collection}_pending_events`,
  keys: { pendingEventsAt: 1 },
  partialFilterExpression: { pendingEventsAt: { $exists: true } },
  serves: 'events.redeliver / startRelay: { pendingEventsAt: { $lte: cutoff } }, oldest first',
});

/**
 * The relay: { unconfirmedAt: { $lte: cutoff } } across tenants, records abandoned undecided by
 * their call. Single-field and partial, so it only holds records still being decided.
 */
export const unconfirmedIndex = (collection: string, records: string): IndexDeclaration => ({
  name: `rf_${collection}_unconfirmed`,
  keys: { unconfirmedAt: 1 },
  partialFilterExpression: { unconfirmedAt: { $exists: true } },
  serves: `events.redeliver / startRelay: { unconfirmedAt: { $lte: cutoff } }, abandoned undecided ${records}`,
});

/**
 * events.parked() / requeue(): { parkedEventsAt: { $exists: true } } across tenants, oldest first.
 * Partial, so it only holds the rare documents with a poison event.
 */
export const parkedEventsIndex = (collection: string): IndexDeclaration => ({
  name: `rf_${collection}_parked_events`,
  keys: { parkedEventsAt: 1 },
  partialFilterExpression: { parkedEventsAt: { $exists: true } },
  serves: 'events.parked / requeue: { parkedEventsAt: { $exists: true } }, oldest first',
});

/**
 * erasure: { tenant, actors: <ref> }: every record a person acted on (as `ctx.actorId` or as a
 * decider), whoever it belongs to. Partial, so records written without an actor cost nothing.
 */
export const actorsIndex = (tenant: ResolvedTenant, collection: string): IndexDeclaration => ({
  name: `rf_${collection}_actors`,
  keys: withTenantKey(tenant, { actors: 1 }),
  partialFilterExpression: { actors: { $exists: true } },
  serves: 'erasure: { tenant, actors: <ref> }, every record a person acted on',
});

/**
 * The dashboards' catch-up across a tenant: { tenant, changedAt: { $gte: watermark } }. Partial, so
 * it holds only records a counted write stamped (`STAMP_CHANGED`), never an undecided insert.
 */
export const changedIndex = (tenant: ResolvedTenant, collection: string): IndexDeclaration => ({
  name: `rf_${collection}_changed`,
  keys: withTenantKey(tenant, { changedAt: 1 }),
  partialFilterExpression: { changedAt: { $exists: true } },
  serves: 'stats.leaderboard catch-up: { tenant, changedAt >= watermark }',
});

/** The same for one referrer: { tenant, referrerRef, changedAt: { $gte: watermark } } (stats.forReferrer, stats.funnel). */
export const changedByReferrerIndex = (tenant: ResolvedTenant, collection: string): IndexDeclaration => ({
  name: `rf_${collection}_referrer_changed`,
  keys: withTenantKey(tenant, { referrerRef: 1, changedAt: 1 }),
  partialFilterExpression: { changedAt: { $exists: true } },
  serves: 'stats.forReferrer, stats.funnel catch-up: { tenant, referrerRef, changedAt >= watermark }',
});

/** Schema path of the actors every write records (the executor adds them; erasure reads them). */
export const actorsPath = { actors: { type: [String], default: undefined } } as const;
