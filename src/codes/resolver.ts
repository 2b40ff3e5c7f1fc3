import { type CallScope, withoutOutboxFields } from '../store/scope.js';
import type { ResolvedCode } from './cache.js';
import { type CodeDeps, codeCollection } from './deps.js';
import { foldLookAlikes } from './format.js';
import type { ReferralCodeRecord } from './model.js';

export type { ResolvedCode };

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
  codeCollection(deps).findOne(scope.where({ foldedCode: foldLookAlikes(code) }), { ...scope.options, ...options });

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

/**
 * One indexed read: what a typed code stands for now. The whole small document, its outbox fields
 * dropped here: a projection costs the test server more than the bytes it saves.
 */
const readForSale = async (deps: CodeDeps, scope: CallScope, code: string): Promise<CodeResolution> => {
  const doc = withoutOutboxFields(await findCode(deps, scope, code, {}));
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
  const resolution = await readForSale(deps, scope, code);
  if (resolution && 'usable' in resolution) cache?.set(scope.tenant, code, resolution.usable);
  return resolution;
};

/**
 * The referrer behind a code that can attribute now, or null: always from the database, since
 * what uses it (resolveReferrer, trackVisit, attributeSignup) has no fence behind it.
 */
export const resolveCode = async (deps: CodeDeps, scope: CallScope, code: string): Promise<ResolvedCode | null> => {
  const resolution = await readForSale(deps, scope, code);
  return resolution && 'usable' in resolution ? resolution.usable : null;
};
