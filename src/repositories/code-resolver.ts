import type { ReferralContext } from '../core/context.js';
import type { CachedReferrer } from '../engine/code-cache.js';
import type { EngineRuntime, TenantFilter } from '../engine/runtime.js';
import { codeCollection, driverOptions, PUBLIC_PROJECTION } from './records.js';

/** One indexed read on { tenant, code } (rf_code_unique) for a live, active code. */
export const findActiveCode = (runtime: EngineRuntime, scope: TenantFilter, code: string, ctx: ReferralContext | undefined) =>
  // query: code.byCode
  codeCollection(runtime).findOne({ ...scope, code, active: true, deletedAt: null }, { projection: PUBLIC_PROJECTION, ...driverOptions(ctx) });

/**
 * The checkout path's code resolution: the in-process cache when enabled, else one indexed
 * read (which then fills the cache). Reads inside a transaction bypass the cache.
 */
export const resolveCode = async (runtime: EngineRuntime, scope: TenantFilter, code: string, ctx: ReferralContext | undefined): Promise<CachedReferrer | null> => {
  const cache = ctx?.session ? undefined : runtime.codes.cache;
  const cached = cache?.get(scope, code);
  if (cached) return cached;
  const doc = await findActiveCode(runtime, scope, code, ctx);
  if (!doc) return null;
  const referrer = { ownerRef: doc.ownerRef, ownerModel: doc.ownerModel, codeId: doc._id, code: doc.code };
  cache?.set(scope, referrer);
  return referrer;
};
