import type { mongo } from 'mongoose';
import type { RedeliverOptions, RedeliverReport } from '../events/outbox.js';
import { type EventPublisher, PublishBudget } from '../events/publisher.js';
import type { DomainEvent } from '../events/types.js';
import { asDuplicateKey, type DuplicateKey, isDuplicateOn, translateDuplicate } from '../kernel/duplicate-key.js';
import { ContentionError } from '../kernel/errors.js';
import { canonicalId } from '../kernel/ids.js';
import { ABANDONED, type InsertContext, insertAttempt, undecided, voidingUpdate } from './insert-if-absent.js';
import type { Among, Doc, InsertOperation, InsertOutcome, RaceRule, Transition, UpdateOperation } from './operations.js';
import type { AnyCollection, EventHome, Outbox, OutboxScope } from './outbox/outbox.js';
import { STAMP_CHANGED } from './schema-parts.js';
import type { CallScope } from './scope.js';

/** Pending documents whose events the relay publishes together, within one budget. */
const RELAY_CHUNK = 100;

/** What an attempt returns when its conditional write matched nothing. */
const LOST = Symbol('lost race');

/** A short, growing, random pause after a lost compare-and-swap, so racing writers stop colliding in lockstep. */
const backoff = (attempt: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 32)));

const ruleFor = (rules: readonly RaceRule[], duplicate: DuplicateKey | null): number =>
  duplicate ? rules.findIndex((rule) => rule.on !== 'changed' && rule.on.keys.some((keys) => isDuplicateOn(duplicate, keys))) : -1;

/**
 * The one retry loop: runs `attempt` until it returns something other than LOST, retrying the
 * lost races `rules` name. A duplicate key no rule covers becomes a 409 DuplicateError; any other
 * error passes through. A key race retries at once (the winner's record is there to match); a
 * compare-and-swap backs off first. Every loss means another writer made progress, so the bounds
 * only stop a record that changes without end.
 */
const withRaceRetry = async <R>(rules: readonly RaceRule[], attempt: () => Promise<R | typeof LOST>): Promise<R> => {
  const losses = rules.map(() => 0);
  for (;;) {
    let index: number;
    let failure: unknown;
    try {
      const result = await attempt();
      if (result !== LOST) return result;
      index = rules.findIndex((rule) => rule.on === 'changed');
    } catch (error) {
      index = ruleFor(rules, asDuplicateKey(error));
      failure = error;
      if (index < 0) throw translateDuplicate(error);
    }
    const rule = rules[index];
    if (!rule) throw new Error('A conditional write lost its race, and no rule retries it');
    const lost = (losses[index] ?? 0) + 1;
    losses[index] = lost;
    if (lost > rule.retries) throw rule.exhausted?.(lost) ?? translateDuplicate(failure);
    if (rule.on === 'changed') await backoff(lost - 1);
  }
};

/** When a write's events are published: right after it (within `publishTimeoutMs`), or only by the relay. */
interface PublishOptions {
  publishTimeoutMs: number;
  publishAfterWrite: boolean;
}

/**
 * Who acted in this write: the call's actor and any decider the operation names, each once and
 * in one spelling. Recorded on the record (`actors`), so erasure finds every record a person
 * acted on, whoever it belongs to.
 */
const actorsOf = (scope: CallScope, named: readonly string[] = []): string[] => {
  const actors = scope.ctx.actorId === undefined ? named : [scope.ctx.actorId, ...named];
  return [...new Set(actors.map(canonicalId))];
};

/** A decision a unique index refused (a cap's slot taken meanwhile) is taken again; each refusal means another record stood. */
const SETTLE_RACE: RaceRule[] = [{ on: { keys: [[]] }, retries: 1000, exhausted: () => new ContentionError('referral') }];

/** An unconfirmed record the relay voided as abandoned while its call was deciding: the call, which answered nothing yet, records it again. */
const ABANDONED_RACE: RaceRule = { on: 'changed', retries: 3, exhausted: () => new ContentionError('referral') };

const filterOf = (scope: CallScope, write: { match: Doc; among: Among }): Doc => (write.among === 'live' ? scope.live(write.match) : scope.where(write.match));

/**
 * Every write goes through here, as every command of the mongodb driver goes through its
 * `executeOperation`: the call scope (tenant, session, clock) is applied to each command, a lost
 * race is retried by the one policy, the events are stored by the outbox in the same command and
 * published after it within the verb's one budget, then settled (acknowledged or counted).
 */
export class WriteExecutor {
  readonly outbox: Outbox;
  readonly #publisher: EventPublisher;
  readonly #options: PublishOptions;

  constructor(outbox: Outbox, publisher: EventPublisher, options: PublishOptions) {
    this.outbox = outbox;
    this.#publisher = publisher;
    this.#options = options;
  }

  /** Insert-if-absent: a replay returns the existing record. A function is called again for each retry (a new generated value). */
  insert<T extends mongo.Document>(
    scope: CallScope,
    write: InsertOperation<T> | (() => InsertOperation<T>),
    race: readonly RaceRule[] = [],
  ): Promise<InsertOutcome<T>> {
    return withRaceRetry([...race, ABANDONED_RACE], () => this.#insertOnce(scope, typeof write === 'function' ? write() : write, race));
  }

  /** A conditional update; null when the filter no longer matched (nothing stored or published). */
  update<T extends mongo.Document>(scope: CallScope, write: UpdateOperation<T>): Promise<T | null> {
    return withRaceRetry([], () => this.#updateOnce(scope, write));
  }

  /** Read, plan, conditionally write: of two concurrent transitions one applies, the other re-plans on its result. */
  transition<T extends mongo.Document & { _id: unknown }>(scope: CallScope, transition: Transition<T>): Promise<T> {
    return withRaceRetry([transition.race], async () => {
      const current = await transition.read();
      if (!current) throw transition.notFound();
      const planned = transition.plan(current);
      if (!planned) return current;
      const { expect, ...change } = planned;
      const write = { collection: transition.collection, match: { _id: current._id, ...expect }, among: 'all' as const, ...change };
      return (await this.#updateOnce(scope, write)) ?? LOST;
    });
  }

  /** Sets `set` (and `inc`) on every record `match` finds (erasure, a suspension's holds); emits nothing. Returns how many changed. */
  async updateMany<T extends mongo.Document>(
    scope: CallScope,
    write: { collection: mongo.Collection<T>; match: Doc; set: Doc; inc?: Record<string, number> },
  ): Promise<number> {
    const change = { $set: write.set, ...(write.inc ? { $inc: write.inc } : {}), ...STAMP_CHANGED } as unknown as mongo.UpdateFilter<T>;
    // query: * (the caller names the shape of write.match)
    return (await write.collection.updateMany(scope.where(write.match) as mongo.Filter<T>, change, scope.options)).modifiedCount;
  }

  /** Sets each patch's fields on its record, matched by `_id` within the tenant (erasure); emits nothing. */
  async setEach<T extends mongo.Document>(scope: CallScope, collection: mongo.Collection<T>, patches: readonly { _id: unknown; set: Doc }[]): Promise<void> {
    if (patches.length === 0) return;
    const operations = patches.map(({ _id, set }) => ({ updateOne: { filter: scope.where({ _id }), update: { $set: set } } }));
    // query: * (by _id within the tenant)
    await collection.bulkWrite(operations as unknown as mongo.AnyBulkWriteOperation<T>[], scope.options);
  }

  /** Voids every undecided record `match` finds (a code retired: its sales that did not stand yet never will). */
  async voidUndecided<T extends mongo.Document>(scope: CallScope, collection: mongo.Collection<T>, match: Doc, fields: Doc): Promise<void> {
    const records = collection as unknown as mongo.Collection<mongo.Document>;
    // query: * (the caller names the shape of match)
    await records.updateMany(undecided(scope.where(match)), voidingUpdate(fields, this.outbox.voidUnset), scope.options);
  }

  /** The relay: undecided records older than `olderThanMs` were abandoned by their call (a crash); they never stood, so they are voided. */
  async voidAbandoned<T extends mongo.Document>(scope: OutboxScope, collection: mongo.Collection<T>, olderThanMs: number): Promise<void> {
    const abandoned = { ...scope.tenant, unconfirmedAt: { $lte: new Date(scope.now.getTime() - olderThanMs) } };
    const records = collection as unknown as mongo.Collection<mongo.Document>;
    // query: record.unconfirmed
    await records.updateMany(abandoned, voidingUpdate({ voidedReason: 'abandoned' }, this.outbox.voidUnset));
  }

  /** Inserts a new record of the scope's tenant that nothing else names and that emits nothing (a visit). */
  async append<T extends mongo.Document>(scope: CallScope, collection: mongo.Collection<T>, doc: Doc & { _id: unknown }): Promise<T> {
    const { _id, ...fields } = doc;
    const record = { _id, ...scope.tenant, ...fields } as unknown as T;
    await collection.insertOne(record as mongo.OptionalUnlessRequiredId<T>, scope.options);
    return record;
  }

  /** Rewrites every unpublished event on the records `match` finds (erasure: no payload may keep an erased ref). */
  async rewritePending<T extends mongo.Document>(
    scope: CallScope,
    collection: mongo.Collection<T>,
    match: Doc,
    rewrite: (event: DomainEvent) => DomainEvent,
  ): Promise<void> {
    const patches = await this.outbox.rewrittenPending(collection as unknown as AnyCollection, scope, scope.where(match), rewrite);
    await this.setEach(scope, collection, patches);
  }

  /** Publishes what was never acknowledged (a crash, an outage, a commit): `RELAY_CHUNK` documents' events together, a budget per chunk. */
  async redeliver(scope: OutboxScope, options: Required<RedeliverOptions>): Promise<RedeliverReport> {
    const { batches, unreadable } = await this.outbox.pending(scope, options);
    const report: RedeliverReport = { published: 0, failed: unreadable };
    for (let start = 0; start < batches.length; start += RELAY_CHUNK) {
      const chunk = batches.slice(start, start + RELAY_CHUNK);
      const outcome = await this.#publisher.publish(
        chunk.flatMap((batch) => batch.events),
        new PublishBudget(this.#options.publishTimeoutMs),
      );
      for (const { events, home } of chunk) {
        await this.outbox.settle(events, home, outcome);
        for (const event of events) report[outcome.get(event.meta.id) === null ? 'published' : 'failed']++;
      }
    }
    await this.outbox.flush();
    return report;
  }

  /** One insert attempt; an unconfirmed record is then settled by the one retry loop (a cap's slot taken re-decides, an abandoned record inserts again). */
  async #insertOnce<T extends mongo.Document>(scope: CallScope, write: InsertOperation<T>, race: readonly RaceRule[]): Promise<InsertOutcome<T> | typeof LOST> {
    const actors = actorsOf(scope, write.actors);
    const record = actors.length > 0 ? { ...write.doc, actors } : write.doc;
    const { fields, release } = this.outbox.insertFields(write.events, scope, write.decide !== undefined);
    const context: InsertContext = {
      doc: { ...record, ...fields },
      release,
      voidUnset: this.outbox.voidUnset,
      isTwin: (error) => ruleFor(race, asDuplicateKey(error)) >= 0,
      retry: (attempt) => withRaceRetry(SETTLE_RACE, attempt),
    };
    const outcome = await insertAttempt(context, scope, write, filterOf(scope, write), record);
    if (outcome === ABANDONED) return LOST;
    // Published once it stands: a new record that was not voided.
    if (outcome.inserted && !outcome.voided && !outcome.relayOnly)
      await this.#afterWrite(scope, write.events, this.#home(write.collection, write.doc._id, scope));
    return outcome;
  }

  async #updateOnce<T extends mongo.Document>(scope: CallScope, write: UpdateOperation<T>): Promise<T | null> {
    const outbox = this.outbox.updateFields(write.events, scope);
    const push = { ...write.push, ...outbox.push };
    const actors = actorsOf(scope, write.actors);
    const set = { ...write.set, ...outbox.set };
    const change = {
      ...(Object.keys(set).length > 0 ? { $set: set } : {}),
      ...(write.inc ? { $inc: write.inc } : {}),
      ...(write.max ? { $max: write.max } : {}),
      ...(Object.keys(push).length > 0 ? { $push: push } : {}),
      ...(actors.length > 0 ? { $addToSet: { actors: { $each: actors } } } : {}),
      ...STAMP_CHANGED,
    };
    // query: * (the caller names the shape of write.match)
    const after = await write.collection.findOneAndUpdate(filterOf(scope, write) as mongo.Filter<T>, change as unknown as mongo.UpdateFilter<T>, {
      returnDocument: 'after',
      ...scope.read,
    });
    if (!after) return null;
    await this.#afterWrite(scope, write.events, this.#home(write.collection, after._id, scope));
    return after as unknown as T;
  }

  /** The events of a write that committed; inside the caller's transaction, or with publishing left to the relay, redeliver() sends them. */
  async #afterWrite(scope: CallScope, events: readonly DomainEvent[], home: EventHome): Promise<void> {
    if (events.length === 0) return;
    await this.outbox.save?.(events, scope);
    if (scope.inTransaction || !this.#options.publishAfterWrite) return;
    await this.outbox.settle(events, home, await this.#publisher.publish(events, scope.budget));
  }

  #home(collection: unknown, documentId: unknown, scope: CallScope): EventHome {
    return { collection: collection as unknown as AnyCollection, documentId, tenant: scope.tenant };
  }
}
