import { lookupCandidates } from '../core/code-format.js';
import type { ReferralContext } from '../core/context.js';
import type { CachedReferrer } from '../engine/code-cache.js';
import type { EngineRuntime, TenantFilter } from '../engine/runtime.js';
import type { ReferralCodeRecord } from '../models/referral-code.model.js';
import { codeCollection, driverOptions, PUBLIC_PROJECTION } from './records.js';

const usable = (doc: ReferralCodeRecord, now: Date): boolean => !doc.expiresAt || doc.expiresAt > now;

/**
 * One indexed read on { tenant, code } (rf_code_unique) for a live, active, unexpired code. A
 * typed code with look-alikes (O, I, L) also matches its folded form (0, 1); exact wins.
 */
export const findActiveCode = async (runtime: EngineRuntime, scope: TenantFilter, code: string, ctx: ReferralContext | undefined): Promise<ReferralCodeRecord | null> => {
  const candidates = lookupCandidates(code);
  const now = new Date();
  if (candidates.length === 1) {
    // query: code.byCode
    const doc = await codeCollection(runtime).findOne({ ...scope, code, active: true, deletedAt: null }, { projection: PUBLIC_PROJECTION, ...driverOptions(ctx) });
    return doc && usable(doc, now) ? doc : null;
  }
  // query: code.byCode
  const docs = await codeCollection(runtime).find({ ...scope, code: { $in: candidates }, active: true, deletedAt: null }, { projection: PUBLIC_PROJECTION, limit: 2, ...driverOptions(ctx) }).toArray();
  const live = docs.filter((doc) => usable(doc, now));
  return live.find((doc) => doc.code === code) ?? live[0] ?? null;
};

/**
 * The checkout path's code resolution: the in-process cache when enabled, else one indexed
 * read (which then fills the cache). Reads inside a transaction bypass the cache.
 */
export const resolveCode = async (runtime: EngineRuntime, scope: TenantFilter, code: string, ctx: ReferralContext | undefined): Promise<CachedReferrer | null> => {
  const cache = ctx?.session ? undefined : runtime.codes.cache;
  const cached = cache?.get(scope, code);
  if (cached && (!cached.expiresAt || cached.expiresAt > new Date())) return cached;
  const doc = await findActiveCode(runtime, scope, code, ctx);
  if (!doc) return null;
  const referrer: CachedReferrer = {
    ownerRef: doc.ownerRef,
    ownerModel: doc.ownerModel,
    codeId: doc._id,
    code: doc.code,
    expiresAt: doc.expiresAt ?? null,
    maxConversions: doc.maxConversions ?? null,
    campaign: doc.campaign ?? null,
  };
  cache?.set(scope, code, referrer);
  return referrer;
};
