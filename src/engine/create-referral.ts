import type { Connection } from 'mongoose';
import { createCodeGenerator, DEFAULT_RESERVED_WORDS } from '../core/code-format.js';
import type { ReferralContext } from '../core/context.js';
import { ReferralError } from '../core/errors.js';
import { resolveTenant } from '../core/tenant.js';
import { InProcessBus } from '../events/in-process-bus.js';
import { EventPublisher } from '../events/publisher.js';
import type { DomainEvent } from '../events/types.js';
import type { ReferralRecord } from '../models/referral.model.js';
import { type ReferralModels, registerModels, unregisterModels } from '../models/register.js';
import { type SyncIndexesReport, syncOwnedIndexes } from '../models/sync-indexes.js';
import { resolveCode } from '../repositories/code-resolver.js';
import { ReferralCodeRepository } from '../repositories/referral-code.repository.js';
import { ReferralRepository } from '../repositories/referral.repository.js';
import { ReferralStats } from '../repositories/referral-stats.js';
import { type AttributeSaleInput, codeSchema, type TrackVisitInput } from '../schemas/inputs.js';
import type { ReferralTouchRecord } from '../models/touch.model.js';
import { resolveAttributionPolicy } from '../domain/attribution-policy.js';
import { attributeSale, trackVisit } from './attribute-sale.js';
import { parseInput } from '../schemas/parse.js';
import { type CachedReferrer, CodeCache } from './code-cache.js';
import { createEventsFacade, type ReferralEvents } from './events-facade.js';
import type { CreateReferralOptions } from './options.js';
import { EngineRuntime } from './runtime.js';

/** The referrer behind a code. */
export type ResolvedReferrer = CachedReferrer;

export interface ReferralEngine {
  readonly repositories: { readonly referralCode: ReferralCodeRepository; readonly referral: ReferralRepository };
  readonly models: ReferralModels;
  readonly events: ReferralEvents;
  /** Aggregations: `forReferrer(ref, ctx)`, `leaderboard({ from, to, limit? }, ctx)`. */
  readonly stats: ReferralStats;
  /** The referrer behind a code, or null for unknown, deactivated and deleted codes. One indexed read. */
  resolveReferrer(code: string, ctx?: ReferralContext): Promise<ResolvedReferrer | null>;
  /**
   * Checkout in one call: find the referrer (code, else touches, per `attribution`) and record
   * the sale. Null when nothing attributes it (no or an unknown, deactivated, expired or
   * exhausted code, no touch in the window).
   */
  attributeSale(input: AttributeSaleInput, ctx?: ReferralContext): Promise<ReferralRecord | null>;
  /** Records a visit through a referral link (`{ code, visitorId, at? }`); null for a code that cannot attribute. */
  trackVisit(input: TrackVisitInput, ctx?: ReferralContext): Promise<ReferralTouchRecord | null>;
  /** Creates the declared indexes and drops stale ones this package owns. Call at deploy. */
  syncIndexes(): Promise<SyncIndexesReport>;
  /** Stops relays, writes pending acks, unregisters the models and closes what the engine owns; idempotent. Never closes the connection. */
  destroy(): Promise<void>;
}

const DEFAULT_MAX_ATTEMPTS = 5;
const DEFAULT_ACK_DELAY_MS = 25;

/** By shape, not instanceof: mongoose is CommonJS (no named `Connection` export under ESM) and a host may carry its own copy. */
const isConnection = (value: unknown): value is Connection =>
  typeof value === 'object' && value !== null && typeof (value as Connection).model === 'function' && typeof (value as Connection).deleteModel === 'function' && typeof (value as Connection).models === 'object';

const defaultOnError = (error: unknown, event: DomainEvent) => console.error(`[@classytic/referral] delivering ${event.type} failed`, error);

export const createReferral = async (options: CreateReferralOptions): Promise<ReferralEngine> => {
  if (!isConnection(options?.connection)) {
    throw new ReferralError('validation_failed', 'createReferral needs a mongoose Connection as `connection`', 422, { details: { field: 'connection' } });
  }
  const { connection } = options;
  const tenant = resolveTenant(options.tenant);
  const onError = options.events?.onError ?? defaultOnError;
  const ownsTransport = !options.events?.transport;
  const transport = options.events?.transport ?? new InProcessBus({ onHandlerError: onError });
  const maxAttempts = options.codes?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError('codes.maxAttempts must be a positive integer');
  const generate = options.codes?.generate ?? createCodeGenerator(options.codes ?? {});
  const cache = options.codes?.cache ? new CodeCache(options.codes.cache) : undefined;
  const publisher = new EventPublisher(transport, onError, { store: options.events?.outbox, ackDelayMs: options.events?.ackDelayMs ?? DEFAULT_ACK_DELAY_MS });

  const attribution = resolveAttributionPolicy(options.attribution);
  const { models, owned } = registerModels(connection, tenant, options.collectionPrefix ?? '', attribution.touchTtlSeconds);
  const codes = {
    generate,
    maxAttempts,
    cache,
    deactivationFence: options.codes?.deactivationFence ?? true,
    reservedWords: new Set((options.codes?.reservedWords ?? DEFAULT_RESERVED_WORDS).map((word) => word.toUpperCase())),
  };
  const runtime = new EngineRuntime(tenant, models, publisher, codes, options.review, options.guards ?? [], options.erasure?.secret, attribution);
  const { events, stopRelays } = createEventsFacade(runtime, transport, publisher, onError);

  const engine: ReferralEngine = {
    repositories: { referralCode: new ReferralCodeRepository(runtime), referral: new ReferralRepository(runtime) },
    models,
    events,
    stats: new ReferralStats(runtime),
    resolveReferrer: async (code, ctx) => {
      const scope = runtime.scope(ctx);
      return resolveCode(runtime, scope, parseInput(codeSchema, code, 'code'), ctx);
    },
    attributeSale: (input, ctx) => attributeSale(runtime, input, ctx),
    trackVisit: (input, ctx) => trackVisit(runtime, input, ctx),
    syncIndexes: () => syncOwnedIndexes(owned),
    destroy: async () => {
      if (runtime.destroyed) return;
      runtime.destroyed = true;
      stopRelays();
      await publisher.flush();
      unregisterModels(connection, models);
      if (ownsTransport) await transport.close?.();
    },
  };
  if (options.autoIndex) await engine.syncIndexes();
  return engine;
};
