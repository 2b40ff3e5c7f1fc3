import { LRUCache } from 'lru-cache';
import type { Types } from 'mongoose';
import { configError } from '../kernel/errors.js';
import type { Ref } from '../kernel/ids.js';
import type { TenantFilter } from '../kernel/tenant.js';
import type { CallScope } from '../store/scope.js';
import type { CodeDeps } from './deps.js';
import { foldLookAlikes } from './format.js';
import type { ReferralCodeRecord } from './model.js';

/** A live code as checkout needs it: its owner (the referrer) and its policy. */
export interface ResolvedCode {
  ownerRef: Ref;
  ownerModel: string;
  codeId: Types.ObjectId;
  code: string;
  expiresAt: Date | null;
  maxConversions: number | null;
  campaign: string | null;
}

export interface CodeCacheOptions {
  /** How long a resolved code is trusted, in ms. */
  ttlMs: number;
  /** Most codes kept; the least recently used go first. */
  max: number;
}

/**
 * Optional in-process cache of resolved codes (positive results only, so a new code is never
 * hidden). Invalidated in this process on deactivate/softDelete; other processes may keep a
 * deactivated code for up to `ttlMs` (with the deactivation fence on, such a sale is voided).
 */
export class CodeCache {
  readonly #cache: LRUCache<string, ResolvedCode>;

  constructor(options: CodeCacheOptions) {
    if (!Number.isInteger(options.max) || options.max < 1) throw configError('codes.cache.max', 'Must be a positive integer');
    if (!Number.isFinite(options.ttlMs) || options.ttlMs <= 0) throw configError('codes.cache.ttlMs', 'Must be a positive number');
    this.#cache = new LRUCache({ max: options.max, ttl: options.ttlMs });
  }

  /**
   * The scope's fields and values as JSON (so no two scopes spell alike, whatever their values
   * hold), then a NUL, which JSON never contains raw, then the code.
   */
  static key(scope: TenantFilter, code: string): string {
    return `${JSON.stringify(Object.entries(scope).map(([field, value]) => [field, String(value)]))}\u0000${code}`;
  }

  get(scope: TenantFilter, code: string): ResolvedCode | undefined {
    return this.#cache.get(CodeCache.key(scope, code));
  }

  /** Keyed by the code as typed (normalized), so a folded look-alike is cached under what was typed. */
  set(scope: TenantFilter, typed: string, referrer: ResolvedCode): void {
    this.#cache.set(CodeCache.key(scope, typed), referrer);
  }

  /** Drops a code and every typed form that was resolved to it. */
  invalidate(scope: TenantFilter, code: string): void {
    const prefix = CodeCache.key(scope, '');
    for (const [key, value] of this.#cache.entries()) if (key.startsWith(prefix) && value.code === code) this.#cache.delete(key);
  }

  get size(): number {
    return this.#cache.size;
  }
}

/** What a typed code stands for at checkout: a code that can attribute, one that no longer can, or nothing. */
export type CodeResolution = { usable: ResolvedCode } | { retired: ReferralCodeRecord } | null;

const usable = (doc: ReferralCodeRecord, now: Date): boolean => doc.active && doc.deletedAt === null && (!doc.expiresAt || doc.expiresAt > now);

/**
 * One indexed read on { tenant, foldedCode } (rf_code_folded_unique): a typed code matches the
 * one stored code that reads like it (O/0, I/L/1 folded), in whatever state it is.
 */
export const findCode = (
  deps: CodeDeps,
  scope: CallScope,
  code: string,
  options: { projection?: Record<string, 0 | 1> } = scope.read,
): Promise<ReferralCodeRecord | null> =>
  // query: code.byFolded
  deps.codes.findOne(scope.where({ foldedCode: foldLookAlikes(code) }), { ...scope.options, ...options });

/** The live, active, unexpired code a typed code stands for, or null. */
export const findActiveCode = async (deps: CodeDeps, scope: CallScope, code: string): Promise<ReferralCodeRecord | null> => {
  const doc = await findCode(deps, scope, code);
  return doc && usable(doc, scope.now) ? doc : null;
};

const resolvedFrom = (doc: ReferralCodeRecord): ResolvedCode => ({
  ownerRef: doc.ownerRef,
  ownerModel: doc.ownerModel,
  codeId: doc._id,
  code: doc.code,
  expiresAt: doc.expiresAt ?? null,
  maxConversions: doc.maxConversions ?? null,
  campaign: doc.campaign ?? null,
});

/** What checkout reads of a code: the referrer, the policy, and whether it can attribute. */
const CHECKOUT_PROJECTION = {
  ownerRef: 1,
  ownerModel: 1,
  code: 1,
  active: 1,
  deletedAt: 1,
  expiresAt: 1,
  maxConversions: 1,
  campaign: 1,
} as const;

/** One indexed read, never the cache: what a typed code stands for now (the fields checkout uses). */
export const readCode = async (deps: CodeDeps, scope: CallScope, code: string): Promise<CodeResolution> => {
  const doc = await findCode(deps, scope, code, { projection: CHECKOUT_PROJECTION });
  if (!doc) return null;
  return usable(doc, scope.now) ? { usable: resolvedFrom(doc) } : { retired: doc };
};

/**
 * The checkout path's code resolution (attributeSale, recordConversion): the in-process cache
 * when on, else one indexed read, which then fills the cache. Only this path reads the cache,
 * because the deactivation fence re-checks the stored code before a new sale stands. Reads
 * inside a transaction bypass it. A code that exists but can no longer attribute comes back as
 * `retired`, so a replay can still be answered.
 */
export const resolveForSale = async (deps: CodeDeps, scope: CallScope, code: string): Promise<CodeResolution> => {
  const cache = scope.ctx.session ? undefined : deps.config.cache;
  const cached = cache?.get(scope.tenant, code);
  if (cached && (!cached.expiresAt || cached.expiresAt > scope.now)) return { usable: cached };
  const resolution = await readCode(deps, scope, code);
  if (resolution && 'usable' in resolution) cache?.set(scope.tenant, code, resolution.usable);
  return resolution;
};

/**
 * The referrer behind a code that can attribute now, or null: always from the database, since
 * what uses it (resolveReferrer, trackVisit, attributeSignup) has no fence behind it.
 */
export const resolveCode = async (deps: CodeDeps, scope: CallScope, code: string): Promise<ResolvedCode | null> => {
  const resolution = await readCode(deps, scope, code);
  return resolution && 'usable' in resolution ? resolution.usable : null;
};
