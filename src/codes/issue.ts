import { Types } from 'mongoose';
import { ReferralError } from '../kernel/errors.js';
import { type Ref, refEquals } from '../kernel/ids.js';
import type { RaceRule } from '../store/operations.js';
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

/** An owner race retries to find the winner's code; a random-code collision retries with a new code, then gives up. */
const generatedCodeRaces = (maxAttempts: number): RaceRule[] => [
  { on: { keys: [['ownerRef']] }, retries: OWNER_RACE_RETRIES },
  {
    on: { keys: [['code'], ['foldedCode']] },
    retries: maxAttempts - 1,
    exhausted: (collisions) =>
      new ReferralError('code_space_exhausted', `No free code after ${collisions} attempts; use a longer codes.length`, 409, {
        details: { attempts: collisions },
      }),
  },
];

/**
 * The owner's live active code, created if there is none. Idempotent under concurrency: one
 * upsert against the owner's partial-unique index decides; a random-code collision is retried
 * up to `codes.maxAttempts` times, then `code_space_exhausted`.
 */
export const issueGeneratedCode = async (deps: CodeDeps, scope: CallScope, owner: CodeOwner, policy: PolicyFields): Promise<ReferralCodeRecord> => {
  const { now } = scope;
  const build = () => {
    const _id = new Types.ObjectId();
    const code = deps.config.generate();
    return {
      collection: deps.codes,
      match: { ownerModel: owner.ownerModel, ownerRef: owner.ownerRef, kind: 'generated', active: true },
      among: 'live' as const,
      doc: { _id, code, foldedCode: foldLookAlikes(code), conversions: 0, ...policy, deactivatedAt: null, createdAt: now, updatedAt: now },
      events: [codeCreatedEvent({ _id, code, ...owner }, now, scope.ctx)],
    };
  };
  // query: code.byOwner
  return (await deps.writes.insert(scope, build, generatedCodeRaces(deps.config.maxAttempts))).doc;
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
  const { doc, inserted } = await deps.writes.insert(scope, {
    collection: deps.codes,
    match: { foldedCode: foldLookAlikes(code) },
    among: 'all' as const,
    doc: { _id, code, ...owner, kind: 'vanity', active: true, conversions: 0, ...policy, deactivatedAt: null, deletedAt: null, createdAt: now, updatedAt: now },
    events: [codeCreatedEvent({ _id, code, ...owner }, now, scope.ctx)],
  });
  if (inserted) return doc;
  const mine = doc.code === code && doc.ownerModel === owner.ownerModel && refEquals(doc.ownerRef, owner.ownerRef) && doc.active && doc.deletedAt === null;
  if (!mine) throw new ReferralError('code_taken', `"${code}" is already taken`, 409, { details: { field: 'vanity' } });
  return doc;
};
