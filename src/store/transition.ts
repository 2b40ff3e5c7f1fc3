import type { mongo } from 'mongoose';
import type { DomainEvent } from '../events/types.js';
import { type EventedCollection, updateWithEvents } from './evented-write.js';
import type { CallScope } from './scope.js';

/** One planned change: applied only while `expect` still holds (compare-and-swap). */
export interface TransitionPlan {
  /** Fields the record must still have, as read (status, version, ...). */
  expect: Record<string, unknown>;
  set: Record<string, unknown>;
  push?: Record<string, unknown>;
  inc?: Record<string, number>;
  /** Events this change emits; stored with it and published after it. */
  events: readonly DomainEvent[];
}

export interface Transition<T> {
  /** Reads the current record (one indexed read). */
  read(): Promise<T | null>;
  notFound(): Error;
  /** The change to make, or null when the record already reflects it (an idempotent replay). */
  plan(current: T): TransitionPlan | null;
  /** Lost races tolerated before giving up; each retry re-reads and re-plans. */
  retries: number;
  exhausted(): Error;
}

/** A short, growing, random pause after a lost race, so racing writers stop colliding in lockstep. */
const backoff = (attempt: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 32)));

/**
 * Read, plan, conditionally write: of two concurrent transitions exactly one applies and the
 * other re-plans against the winner's result (refusing with `invalid_transition`, or applying
 * on top of it, as distinct partial refunds do). Every lost race means another writer made
 * progress, so the bound only stops a record that changes without end.
 */
export const runTransition = async <T extends mongo.Document & { _id: unknown }>(
  target: EventedCollection<T>,
  scope: CallScope,
  transition: Transition<T>,
): Promise<T> => {
  for (let attempt = 0; attempt < transition.retries; attempt++) {
    const current = await transition.read();
    if (!current) throw transition.notFound();
    const planned = transition.plan(current);
    if (!planned) return current;
    const { expect, ...change } = planned;
    // query: * (by _id, compare-and-swap on the caller's expected fields)
    const after = await updateWithEvents(target, scope, { filter: scope.where({ _id: current._id, ...expect }), ...change });
    if (after) return after;
    await backoff(attempt);
  }
  throw transition.exhausted();
};
