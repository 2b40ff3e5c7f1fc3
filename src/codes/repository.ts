import type { ReferralContext } from '../kernel/context.js';
import { NotFoundError } from '../kernel/errors.js';
import type { Ref } from '../kernel/ids.js';
import { parseInput } from '../kernel/input.js';
import type { CallScope } from '../store/scope.js';
import type { CodeDeps } from './deps.js';
import { type CodePolicy, codePolicySchema, codeSchema, generateCodeInputSchema, policyFields, vanityCodeSchema } from './inputs.js';
import { type CodeOwner, claimVanity, issueGeneratedCode } from './issue.js';
import type { ReferralCodeRecord } from './model.js';
import { findActiveCode } from './resolver.js';
import { retireCode } from './retire.js';

/** Erasure spans every concept; the engine supplies it (see src/erasure/). */
export type EraseOwner = (scope: CallScope, owner: CodeOwner) => Promise<number>;

/** The code verbs: each opens its call scope, validates its input, then delegates. */
export class ReferralCodeRepository {
  readonly #deps: CodeDeps;
  readonly #eraseOwner: EraseOwner;

  constructor(deps: CodeDeps, eraseOwner: EraseOwner) {
    this.#deps = deps;
    this.#eraseOwner = eraseOwner;
  }

  /**
   * Returns the owner's live active code, creating one if there is none. Idempotent under
   * concurrency: a single upsert against the owner's partial-unique index decides, and a
   * random-code collision is retried up to `codes.maxAttempts` times.
   */
  async generateCode(ownerRef: Ref, ownerModel: string, ctx: ReferralContext, policy?: CodePolicy): Promise<ReferralCodeRecord> {
    const scope = this.#deps.open(ctx);
    const owner = parseInput(generateCodeInputSchema, { ownerRef, ownerModel });
    const initial = policyFields(parseInput(codePolicySchema, policy ?? {}, 'policy'));
    return issueGeneratedCode(this.#deps, scope, owner, initial);
  }

  /**
   * Claims a vanity code (`CHRIS`, 3-32 letters, digits and dashes) for an owner, in addition
   * to their generated code. Case-insensitive and unique per tenant, forever: a taken or
   * retired name fails with `code_taken` (409), a reserved word with `code_reserved` (422).
   * Claiming your own live code again returns it.
   */
  async claimVanityCode(ownerRef: Ref, ownerModel: string, vanity: string, ctx: ReferralContext, policy?: CodePolicy): Promise<ReferralCodeRecord> {
    const scope = this.#deps.open(ctx);
    const owner = parseInput(generateCodeInputSchema, { ownerRef, ownerModel });
    const code = parseInput(vanityCodeSchema, vanity, 'vanity');
    const initial = policyFields(parseInput(codePolicySchema, policy ?? {}, 'policy'));
    return claimVanity(this.#deps, scope, owner, code, initial);
  }

  /**
   * Changes a live code's policy: `expiresAt`, `maxConversions`, `campaign`, `metadata` (null
   * clears). A limit counts conversions recorded while one is set; set it at creation to count all.
   */
  async setPolicy(code: string, policy: CodePolicy, ctx: ReferralContext): Promise<ReferralCodeRecord> {
    const scope = this.#deps.open(ctx);
    const normalized = parseInput(codeSchema, code, 'code');
    const fields = policyFields(parseInput(codePolicySchema, policy, 'policy'));
    // query: code.byCodeLive
    const doc = await this.#deps.codes.findOneAndUpdate(
      scope.live({ code: normalized }),
      { $set: { ...fields, updatedAt: scope.now } },
      { returnDocument: 'after', ...scope.read },
    );
    if (!doc) throw new NotFoundError('code_not_found', 'No such referral code in this tenant');
    this.#deps.config.cache?.invalidate(scope.tenant, normalized);
    return doc;
  }

  /** The live, active code for `code` (trimmed, case-insensitive), or null. */
  async lookupByCode(code: string, ctx: ReferralContext): Promise<ReferralCodeRecord | null> {
    const scope = this.#deps.open(ctx, 'read');
    return findActiveCode(this.#deps, scope, parseInput(codeSchema, code, 'code'));
  }

  /** The owner's live active code, or null. */
  async findForOwner(ownerRef: Ref, ownerModel: string, ctx: ReferralContext): Promise<ReferralCodeRecord | null> {
    const scope = this.#deps.open(ctx, 'read');
    const owner = parseInput(generateCodeInputSchema, { ownerRef, ownerModel });
    // query: code.byOwner
    return this.#deps.codes.findOne(scope.live({ ownerModel: owner.ownerModel, ownerRef: owner.ownerRef, kind: 'generated', active: true }), scope.read);
  }

  /**
   * Erasure request for a code owner: every code of theirs is deactivated for good and its
   * `ownerRef` replaced by a one-way stand-in (`metadata` dropped). The code strings stay taken.
   */
  async eraseOwner(ownerRef: Ref, ownerModel: string, ctx: ReferralContext): Promise<{ erased: number }> {
    const scope = this.#deps.open(ctx);
    const owner = parseInput(generateCodeInputSchema, { ownerRef, ownerModel });
    return { erased: await this.#eraseOwner(scope, owner) };
  }

  /** Deactivates a code for good; idempotent. The code string is never issued again. */
  async deactivate(code: string, ctx: ReferralContext): Promise<ReferralCodeRecord> {
    const scope = this.#deps.open(ctx);
    return retireCode(this.#deps, scope, parseInput(codeSchema, code, 'code'), false);
  }

  /** Soft-deletes a code (deactivating it); the owner can then be given a new code. */
  async softDelete(code: string, ctx: ReferralContext): Promise<ReferralCodeRecord> {
    const scope = this.#deps.open(ctx);
    return retireCode(this.#deps, scope, parseInput(codeSchema, code, 'code'), true);
  }
}
