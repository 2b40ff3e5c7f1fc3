import { Types } from 'mongoose';
import type { ReferralContext } from '../core/context.js';
import { asDuplicateKey, isDuplicateOn, translateDuplicate } from '../core/duplicate-key.js';
import { NotFoundError, ReferralError } from '../core/errors.js';
import { type Ref, refEquals } from '../core/ids.js';
import type { EngineRuntime } from '../engine/runtime.js';
import { findActiveCode } from './code-resolver.js';
import { REFERRAL_EVENTS } from '../events/names.js';
import { outboxOnInsert, outboxOnUpdate } from '../events/outbox.js';
import type { ReferralCodeRecord } from '../models/referral-code.model.js';
import { type CodePolicy, codePolicySchema, generateCodeInputSchema, vanityCodeSchema } from '../schemas/inputs.js';
import { parseInput } from '../schemas/parse.js';
import { codeSchema } from '../schemas/primitives.js';
import { anonymizedRef, scrubEvent } from './erasure.js';
import type { DomainEvent } from '../events/types.js';
import { insertIfAbsent } from './insert-if-absent.js';
import { codeCollection, driverOptions, eventHome, PUBLIC_PROJECTION } from './records.js';

/** Policy input as stored fields: only what was given, so an omitted field is left as it is. */
const policyFields = (policy: { expiresAt?: Date | null; maxConversions?: number | null; campaign?: string | null; metadata?: Record<string, unknown> | null }) => ({
  ...(policy.expiresAt === undefined ? {} : { expiresAt: policy.expiresAt }),
  ...(policy.maxConversions === undefined ? {} : { maxConversions: policy.maxConversions }),
  ...(policy.campaign === undefined ? {} : { campaign: policy.campaign }),
  ...(policy.metadata === undefined ? {} : { metadata: policy.metadata }),
});

/** How often an owner-index race is retried; the loser's retry finds the winner's code. */
const OWNER_RACE_RETRIES = 3;
/** Concurrent retire calls on one code: the loser re-reads and returns the winner's result. */
const RETIRE_RACE_RETRIES = 3;

const codePayload = (doc: Pick<ReferralCodeRecord, '_id' | 'code' | 'ownerRef' | 'ownerModel'>) => ({
  codeId: String(doc._id),
  code: doc.code,
  ownerRef: String(doc.ownerRef),
  ownerModel: doc.ownerModel,
});

export class ReferralCodeRepository {
  readonly #runtime: EngineRuntime;

  constructor(runtime: EngineRuntime) {
    this.#runtime = runtime;
  }

  /**
   * Returns the owner's live active code, creating one if there is none. Idempotent under
   * concurrency: a single upsert against the owner's partial-unique index decides, and a
   * random-code collision is retried up to `codes.maxAttempts` times.
   */
  async generateCode(ownerRef: Ref, ownerModel: string, ctx?: ReferralContext, policy?: CodePolicy): Promise<ReferralCodeRecord> {
    const scope = this.#runtime.scope(ctx);
    const owner = parseInput(generateCodeInputSchema, { ownerRef, ownerModel });
    const initial = policyFields(parseInput(codePolicySchema, policy ?? {}, 'policy'));
    const collection = codeCollection(this.#runtime);
    const { publisher } = this.#runtime;
    const filter = { ...scope, ownerModel: owner.ownerModel, ownerRef: owner.ownerRef, kind: 'generated' as const, active: true, deletedAt: null };
    let collisions = 0;
    let ownerRaces = 0;
    while (collisions < this.#runtime.codes.maxAttempts) {
      const now = new Date();
      const _id = new Types.ObjectId();
      const code = this.#runtime.codes.generate();
      const event = publisher.build(REFERRAL_EVENTS.codeCreated, { ...codePayload({ _id, code, ...owner }), createdAt: now.toISOString() }, ctx, {
        resource: 'referral_code',
        resourceId: String(_id),
        change: 'created',
      });
      try {
        // query: code.byOwner
        const result = await collection.findOneAndUpdate(
          filter,
          insertIfAbsent({ _id, code, conversions: 0, ...initial, deactivatedAt: null, createdAt: now, updatedAt: now, ...(publisher.embedsEvents ? outboxOnInsert([event], now) : {}) }),
          { upsert: true, returnDocument: 'after', includeResultMetadata: true, projection: PUBLIC_PROJECTION, ...driverOptions(ctx) },
        );
        const doc = result.value as ReferralCodeRecord;
        if (result.lastErrorObject?.upserted !== undefined) await publisher.afterWrite([event], eventHome(collection, _id), ctx);
        return doc;
      } catch (error) {
        const duplicate = asDuplicateKey(error);
        if (isDuplicateOn(duplicate, ['ownerRef']) && ownerRaces++ < OWNER_RACE_RETRIES) continue;
        if (isDuplicateOn(duplicate, ['code'])) {
          collisions++;
          continue;
        }
        throw translateDuplicate(error);
      }
    }
    throw new ReferralError('code_space_exhausted', `No free code after ${collisions} attempts; use a longer codes.length`, 409, { details: { attempts: collisions } });
  }

  /**
   * Claims a vanity code (`CHRIS`, 3-32 letters, digits and dashes) for an owner, in addition
   * to their generated code. Case-insensitive and unique per tenant, forever: a taken or
   * retired name fails with `code_taken` (409), a reserved word with `code_reserved` (422).
   * Claiming your own live code again returns it.
   */
  async claimVanityCode(ownerRef: Ref, ownerModel: string, vanity: string, ctx?: ReferralContext, policy?: CodePolicy): Promise<ReferralCodeRecord> {
    const scope = this.#runtime.scope(ctx);
    const owner = parseInput(generateCodeInputSchema, { ownerRef, ownerModel });
    const code = parseInput(vanityCodeSchema, vanity, 'vanity');
    const initial = policyFields(parseInput(codePolicySchema, policy ?? {}, 'policy'));
    if (this.#runtime.codes.reservedWords.has(code)) throw new ReferralError('code_reserved', `"${code}" is reserved`, 422, { details: { field: 'vanity' } });
    const { publisher } = this.#runtime;
    const collection = codeCollection(this.#runtime);
    const now = new Date();
    const _id = new Types.ObjectId();
    const event = publisher.build(REFERRAL_EVENTS.codeCreated, { ...codePayload({ _id, code, ...owner }), createdAt: now.toISOString() }, ctx, {
      resource: 'referral_code',
      resourceId: String(_id),
      change: 'created',
    });
    // query: code.byCodeLive
    const result = await collection.findOneAndUpdate(
      { ...scope, code },
      insertIfAbsent({ _id, ...owner, kind: 'vanity', active: true, conversions: 0, ...initial, deactivatedAt: null, deletedAt: null, createdAt: now, updatedAt: now, ...(publisher.embedsEvents ? outboxOnInsert([event], now) : {}) }),
      { upsert: true, returnDocument: 'after', includeResultMetadata: true, projection: PUBLIC_PROJECTION, ...driverOptions(ctx) },
    );
    const doc = result.value as ReferralCodeRecord;
    if (result.lastErrorObject?.upserted !== undefined) {
      await publisher.afterWrite([event], eventHome(collection, _id), ctx);
      return doc;
    }
    const mine = doc.ownerModel === owner.ownerModel && refEquals(doc.ownerRef, owner.ownerRef) && doc.active && doc.deletedAt === null;
    if (!mine) throw new ReferralError('code_taken', `"${code}" is already taken`, 409, { details: { field: 'vanity' } });
    return doc;
  }

  /**
   * Changes a live code's policy: `expiresAt`, `maxConversions`, `campaign`, `metadata` (null
   * clears). A limit counts conversions recorded while one is set; set it at creation to count all.
   */
  async setPolicy(code: string, policy: CodePolicy, ctx?: ReferralContext): Promise<ReferralCodeRecord> {
    const scope = this.#runtime.scope(ctx);
    const normalized = parseInput(codeSchema, code, 'code');
    const fields = policyFields(parseInput(codePolicySchema, policy, 'policy'));
    // query: code.byCodeLive
    const doc = await codeCollection(this.#runtime).findOneAndUpdate(
      { ...scope, code: normalized, deletedAt: null },
      { $set: { ...fields, updatedAt: new Date() } },
      { returnDocument: 'after', projection: PUBLIC_PROJECTION, ...driverOptions(ctx) },
    );
    if (!doc) throw new NotFoundError('code_not_found', 'No such referral code in this tenant');
    this.#runtime.codes.cache?.invalidate(scope, normalized);
    return doc;
  }

  /** The live, active code for `code` (trimmed, case-insensitive), or null. */
  async lookupByCode(code: string, ctx?: ReferralContext): Promise<ReferralCodeRecord | null> {
    const scope = this.#runtime.scope(ctx);
    return findActiveCode(this.#runtime, scope, parseInput(codeSchema, code, 'code'), ctx);
  }

  /** The owner's live active code, or null. */
  async findForOwner(ownerRef: Ref, ownerModel: string, ctx?: ReferralContext): Promise<ReferralCodeRecord | null> {
    const scope = this.#runtime.scope(ctx);
    const owner = parseInput(generateCodeInputSchema, { ownerRef, ownerModel });
    // query: code.byOwner
    return codeCollection(this.#runtime).findOne(
      { ...scope, ownerModel: owner.ownerModel, ownerRef: owner.ownerRef, kind: 'generated', active: true, deletedAt: null },
      { projection: PUBLIC_PROJECTION, ...driverOptions(ctx) },
    );
  }

  /**
   * Erasure request for a code owner: every code of theirs is deactivated for good and its
   * `ownerRef` replaced by a one-way stand-in (`metadata` dropped). The code strings stay taken.
   */
  async eraseOwner(ownerRef: Ref, ownerModel: string, ctx?: ReferralContext): Promise<{ erased: number }> {
    const scope = this.#runtime.scope(ctx);
    const owner = parseInput(generateCodeInputSchema, { ownerRef, ownerModel });
    const stand = anonymizedRef(this.#runtime, scope, owner.ownerRef);
    const collection = codeCollection(this.#runtime);
    const { publisher } = this.#runtime;
    // query: code.byOwnerAll
    const codes = await collection.find({ ...scope, ownerRef: owner.ownerRef, ownerModel: owner.ownerModel }, driverOptions(ctx)).toArray();
    let erased = 0;
    for (const doc of codes) {
      const now = new Date();
      const events = doc.active && doc.deletedAt === null
        ? [publisher.build(REFERRAL_EVENTS.codeDeactivated, { ...codePayload({ ...doc, ownerRef: stand }), deactivatedAt: now.toISOString() }, ctx, { resource: 'referral_code', resourceId: String(doc._id), change: 'deactivated' })]
        : [];
      // Events still waiting in the outbox are rewritten too, so no pending payload keeps the ref.
      const pending = ((doc as { outbox?: DomainEvent[] }).outbox ?? []).map((event) => scrubEvent(event, 'ownerRef', stand));
      const outbox = [...pending, ...(publisher.embedsEvents ? events : [])];
      // query: code.byId
      const updated = await collection.updateOne(
        { ...scope, _id: doc._id, ownerRef: owner.ownerRef },
        {
          $set: {
            ownerRef: stand,
            metadata: null,
            active: false,
            deactivatedAt: doc.deactivatedAt ?? now,
            erasedAt: now,
            updatedAt: now,
            ...(outbox.length > 0 ? { outbox, pendingEventsAt: now } : {}),
          },
        },
        driverOptions(ctx),
      );
      if (updated.modifiedCount === 0) continue;
      erased++;
      this.#runtime.codes.cache?.invalidate(scope, doc.code);
      await publisher.afterWrite(events, eventHome(collection, doc._id), ctx);
    }
    return { erased };
  }

  /** Deactivates a code for good; idempotent. The code string is never issued again. */
  async deactivate(code: string, ctx?: ReferralContext): Promise<ReferralCodeRecord> {
    return this.#retire(code, ctx, false);
  }

  /** Soft-deletes a code (deactivating it); the owner can then be given a new code. */
  async softDelete(code: string, ctx?: ReferralContext): Promise<ReferralCodeRecord> {
    return this.#retire(code, ctx, true);
  }

  async #retire(rawCode: string, ctx: ReferralContext | undefined, remove: boolean): Promise<ReferralCodeRecord> {
    const scope = this.#runtime.scope(ctx);
    const code = parseInput(codeSchema, rawCode, 'code');
    const collection = codeCollection(this.#runtime);
    const { publisher } = this.#runtime;
    for (let attempt = 0; attempt < RETIRE_RACE_RETRIES; attempt++) {
      // query: code.byCodeLive
      const before = await collection.findOne({ ...scope, code, deletedAt: null }, { projection: PUBLIC_PROJECTION, ...driverOptions(ctx) });
      if (!before) throw new NotFoundError('code_not_found', 'No such referral code in this tenant');
      if (!before.active && !remove) return before;
      const now = new Date();
      const events = before.active
        ? [publisher.build(REFERRAL_EVENTS.codeDeactivated, { ...codePayload(before), deactivatedAt: now.toISOString() }, ctx, { resource: 'referral_code', resourceId: String(before._id), change: 'deactivated' })]
        : [];
      const outbox = outboxOnUpdate(publisher.embedsEvents ? events : [], now);
      const set = { active: false, updatedAt: now, deactivatedAt: before.deactivatedAt ?? now, ...(remove ? { deletedAt: now } : {}) };
      // query: code.byId
      const after = await collection.findOneAndUpdate(
        { ...scope, _id: before._id, active: before.active, deletedAt: null },
        { $set: { ...set, ...outbox.set }, ...(events.length > 0 && publisher.embedsEvents ? { $push: outbox.push } : {}) },
        { returnDocument: 'after', projection: PUBLIC_PROJECTION, ...driverOptions(ctx) },
      );
      if (!after) continue;
      this.#runtime.codes.cache?.invalidate(scope, code);
      await publisher.afterWrite(events, eventHome(collection, before._id), ctx);
      return after;
    }
    throw new ReferralError('invalid_transition', 'The code kept changing concurrently; retry the call', 409);
  }
}
