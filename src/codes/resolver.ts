import type { CallScope } from '../store/scope.js';
import type { ResolvedCode } from './cache.js';
import { codeCollection, type CodeDeps } from './deps.js';
import { lookupCandidates } from './format.js';
import type { ReferralCodeRecord } from './model.js';

export type { ResolvedCode };

const usable = (doc: ReferralCodeRecord, now: Date): boolean => !doc.expiresAt || doc.expiresAt > now;

/**
 * One indexed read on { tenant, code } (rf_code_unique) for a live, active, unexpired code. A
 * typed code with look-alikes (O, I, L) also matches its folded form (0, 1); exact wins.
 */
export const findActiveCode = async (deps: CodeDeps, scope: CallScope, code: string): Promise<ReferralCodeRecord | null> => {
  const candidates = lookupCandidates(code);
  const collection = codeCollection(deps);
  if (candidates.length === 1) {
    // query: code.byCode
    const doc = await collection.findOne(scope.live({ code, active: true }), scope.read);
    return doc && usable(doc, scope.now) ? doc : null;
  }
  // query: code.byCode
  const docs = await collection.find(scope.live({ code: { $in: candidates }, active: true }), { ...scope.read, limit: 2 }).toArray();
  const live = docs.filter((doc) => usable(doc, scope.now));
  return live.find((doc) => doc.code === code) ?? live[0] ?? null;
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

/**
 * The checkout path's code resolution: the in-process cache when enabled, else one indexed
 * read (which then fills the cache). Reads inside a transaction bypass the cache.
 */
export const resolveCode = async (deps: CodeDeps, scope: CallScope, code: string): Promise<ResolvedCode | null> => {
  const cache = scope.ctx.session ? undefined : deps.config.cache;
  const cached = cache?.get(scope.tenant, code);
  if (cached && (!cached.expiresAt || cached.expiresAt > scope.now)) return cached;
  const doc = await findActiveCode(deps, scope, code);
  if (!doc) return null;
  const resolved = resolvedFrom(doc);
  cache?.set(scope.tenant, code, resolved);
  return resolved;
};
