import type { AnyCollection, OutboxScope } from './outbox.js';

/** Outbox health of one collection, for dashboards and alerts. */
export interface OutboxHealth {
  /** Documents with events not yet acknowledged. */
  pending: number;
  /** When the oldest of them was written, or null. */
  oldestPendingAt: Date | null;
  /** Its age in ms when measured, or null. */
  oldestAgeMs: number | null;
  /** Documents holding parked (poison) events; see events.parked(). */
  parked: number;
}

/** Two counts and one indexed read per collection, each on a partial index that holds only such documents. */
export const outboxHealth = async (collection: AnyCollection, scope: OutboxScope): Promise<OutboxHealth> => {
  const { tenant: tenantFilter, now } = scope;
  // query: outbox.pending
  const pending = await collection.countDocuments({ ...tenantFilter, pendingEventsAt: { $lte: now } });
  // query: outbox.pending
  const oldest = await collection.findOne(
    { ...tenantFilter, pendingEventsAt: { $lte: now } },
    { projection: { pendingEventsAt: 1 }, sort: { pendingEventsAt: 1 } },
  );
  // query: outbox.parked
  const parked = await collection.countDocuments({ ...tenantFilter, parkedEventsAt: { $lte: now } });
  const oldestPendingAt = (oldest?.pendingEventsAt as Date | undefined) ?? null;
  return { pending, oldestPendingAt, oldestAgeMs: oldestPendingAt ? now.getTime() - oldestPendingAt.getTime() : null, parked };
};
