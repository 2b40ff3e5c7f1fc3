import { LRUCache } from 'lru-cache';
import type { Types } from 'mongoose';
import { configError } from '../kernel/errors.js';
import type { Ref } from '../kernel/ids.js';
import type { TenantFilter } from '../kernel/tenant.js';

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

  static key(scope: TenantFilter, code: string): string {
    return `${Object.values(scope).map(String).join('/')}|${code}`;
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
