import type { mongo } from 'mongoose';
import type { DomainEvent } from '../events/types.js';

/** A record's fields, as the declarative writes the executor runs (store/executor.ts) name them. */
export type Doc = Record<string, unknown>;

/** Which records a write's `match` considers: live ones (`deletedAt: null`) or all; the executor adds the tenant. */
export type Among = 'live' | 'all';

/** Inserts `doc` with its events unless `match` finds a record already (a unique index on it decides races). */
export interface InsertOperation<T extends mongo.Document> {
  collection: mongo.Collection<T>;
  match: Doc;
  among: Among;
  /** The record to insert, with its client-chosen `_id` (its events name it). */
  doc: Doc & { _id: unknown };
  events: readonly DomainEvent[];
  /** Who else acted besides `ctx.actorId` (a decider named in the input); recorded in `actors`. */
  actors?: readonly string[];
  /**
   * What a new record must pass before it stands (a code's deactivation fence and cap). With it,
   * the record is inserted unconfirmed (not live: `deletedAt` set, `unconfirmedAt` marks it, its
   * events held), then one conditional write makes it live with `stand`'s fields, or voids it with
   * `void`'s. `collided`: the `stand` fields a unique index refused last time (a cap's slot taken).
   */
  decide?: (collided: Doc | null) => Promise<Decision>;
}

export type Decision = { stand: Doc } | { void: Doc };

export interface InsertOutcome<T> {
  doc: T;
  inserted: boolean;
  /** True when the record was erased while it was being decided: its events were rewritten, and only the relay sends them (as stored). */
  relayOnly?: boolean;
  /** The fields `decide` voided the new record with, else null. */
  voided: Doc | null;
}

/** Applies `set`/`push`/`inc` with its events while `match` still finds the record. */
export interface UpdateOperation<T extends mongo.Document> {
  collection: mongo.Collection<T>;
  match: Doc;
  among: Among;
  set: Doc;
  push?: Doc;
  inc?: Record<string, number>;
  /** Raised to at least these values (`$max`): idempotent, so a retry or a late writer never lowers them. */
  max?: Record<string, number>;
  events: readonly DomainEvent[];
  /** Who else acted besides `ctx.actorId` (a decider named in the input); recorded in `actors`. */
  actors?: readonly string[];
}

/** A change planned from the record as read, applied only while `expect` still holds (compare-and-swap). */
interface TransitionPlan {
  expect: Doc;
  set: Doc;
  push?: Doc;
  inc?: Record<string, number>;
  events: readonly DomainEvent[];
  actors?: readonly string[];
}

export interface Transition<T extends mongo.Document & { _id: unknown }> {
  collection: mongo.Collection<T>;
  /** Reads the current record (one indexed read; its call site names the query). */
  read(): Promise<T | null>;
  notFound(): Error;
  /** The change to make, or null when the record already reflects it (an idempotent replay). */
  plan(current: T): TransitionPlan | null;
  /** Lost compare-and-swaps: each retry re-reads and re-plans. */
  race: RaceRule;
}

/**
 * A lost race a write retries, and how often: a conditional write that matched nothing because
 * another writer changed the record first (`changed`), or a duplicate key on a unique index whose
 * fields include every field of one of `keys` (another writer inserted first, or a generated value
 * collided).
 */
export interface RaceRule {
  readonly on: 'changed' | { readonly keys: readonly (readonly string[])[] };
  /** Retries after a loss of this kind; one more loss ends the write. */
  readonly retries: number;
  /** The error then, given the losses of this kind; without it, the last error (a duplicate key as a 409). */
  readonly exhausted?: (losses: number) => Error;
}
