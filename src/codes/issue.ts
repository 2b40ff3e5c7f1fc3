import { Types } from 'mongoose';
import { asDuplicateKey, isDuplicateOn, translateDuplicate } from '../kernel/duplicate-key.js';
import { ReferralError } from '../kernel/errors.js';
import { type Ref, refEquals } from '../kernel/ids.js';
import { insertIfAbsentWithEvents } from '../store/evented-write.js';
import type { CallScope } from '../store/scope.js';
import type { CodeDeps } from './deps.js';
import { codeCreatedEvent } from './events.js';
import { foldLookAlikes } from './format.js';
import type { policyFields } from './inputs.js';
import type { ReferralCodeRecord } from './model.js';

export interface CodeOwner {
  ownerRef: Ref;
  ownerModel: string;
}

type PolicyFields = ReturnType<typeof policyFields>;

/** How often an owner-index race is retried; the loser's retry finds the winner's code. */
const OWNER_RACE_RETRIES = 3;

/** One attempt at the owner's generated code: the owner's partial-unique index decides. */
const upsertGenerated = (deps: CodeDeps, scope: CallScope, owner: CodeOwner, policy: PolicyFields) => {
  const _id = new Types.ObjectId();
  const code = deps.config.generate();
  const { now } = scope;
  // query: code.byOwner
  return insertIfAbsentWithEvents<ReferralCodeRecord>(deps.codes, scope, {
    filter: scope.live({ ownerModel: owner.ownerModel, ownerRef: owner.ownerRef, kind: 'generated', active: true }),
    doc: { _id, code, foldedCode: foldLookAlikes(code), conversions: 0, ...policy, deactivatedAt: null, createdAt: now, updatedAt: now },
    events: [codeCreatedEvent(deps.codes.publisher, { _id, code, ...owner }, now, scope.ctx)],
  });
};

/**
 * The owner's live active code, created if there is none. Idempotent under concurrency: one
 * upsert against the owner's partial-unique index decides; a random-code collision is retried
 * up to `codes.maxAttempts` times, then `code_space_exhausted`.
 */
export const issueGeneratedCode = async (deps: CodeDeps, scope: CallScope, owner: CodeOwner, policy: PolicyFields): Promise<ReferralCodeRecord> => {
  let collisions = 0;
  let ownerRaces = 0;
  while (collisions < deps.config.maxAttempts) {
    try {
      return (await upsertGenerated(deps, scope, owner, policy)).doc;
    } catch (error) {
      const duplicate = asDuplicateKey(error);
      if (isDuplicateOn(duplicate, ['ownerRef']) && ownerRaces++ < OWNER_RACE_RETRIES) continue;
      if (!isDuplicateOn(duplicate, ['code']) && !isDuplicateOn(duplicate, ['foldedCode'])) throw translateDuplicate(error);
      collisions++;
    }
  }
  throw new ReferralError('code_space_exhausted', `No free code after ${collisions} attempts; use a longer codes.length`, 409, {
    details: { attempts: collisions },
  });
};

/**
 * Claims a vanity code for an owner: unique per tenant forever, by its folded form, so no other
 * code that reads alike (BOLT, B0LT, BO1T) can ever be claimed beside it. Claiming your own live
 * code again returns it; anyone else's, or a look-alike of it, is `code_taken`.
 */
export const claimVanity = async (deps: CodeDeps, scope: CallScope, owner: CodeOwner, code: string, policy: PolicyFields): Promise<ReferralCodeRecord> => {
  if (deps.config.reservedWords.has(code)) throw new ReferralError('code_reserved', `"${code}" is reserved`, 422, { details: { field: 'vanity' } });
  const _id = new Types.ObjectId();
  const { now } = scope;
  // query: code.byFolded
  const { doc, inserted } = await insertIfAbsentWithEvents<ReferralCodeRecord>(deps.codes, scope, {
    filter: scope.where({ foldedCode: foldLookAlikes(code) }),
    doc: { _id, code, ...owner, kind: 'vanity', active: true, conversions: 0, ...policy, deactivatedAt: null, deletedAt: null, createdAt: now, updatedAt: now },
    events: [codeCreatedEvent(deps.codes.publisher, { _id, code, ...owner }, now, scope.ctx)],
  });
  if (inserted) return doc;
  const mine = doc.code === code && doc.ownerModel === owner.ownerModel && refEquals(doc.ownerRef, owner.ownerRef) && doc.active && doc.deletedAt === null;
  if (!mine) throw new ReferralError('code_taken', `"${code}" is already taken`, 409, { details: { field: 'vanity' } });
  return doc;
};
