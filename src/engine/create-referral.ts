import { Connection } from 'mongoose';
import type { ReferralContext } from '../core/context.js';
import { createCodeGenerator } from '../core/code-format.js';
import { ReferralError } from '../core/errors.js';
import { resolveTenant } from '../core/tenant.js';
import { InProcessBus } from '../events/in-process-bus.js';
import { EventPublisher } from '../events/publisher.js';
import { referralEventDefinitions } from '../events/definitions.js';
import type { DomainEvent, EventHandler, EventTransport, Unsubscribe } from '../events/types.js';
import type { RedeliverOptions, RedeliverReport } from '../events/outbox.js';
import { tenantScope } from '../core/tenant.js';
import { registerModels, unregisterModels, type ReferralModels } from '../models/register.js';
import { type SyncIndexesReport, syncOwnedIndexes } from '../models/sync-indexes.js';
import { writeConversion } from '../repositories/conversion-writer.js';
import { findActiveCode } from '../repositories/referral-code.repository.js';
import { ReferralCodeRepository } from '../repositories/referral-code.repository.js';
import { ReferralRepository } from '../repositories/referral.repository.js';
import type { ReferralRecord } from '../models/referral.model.js';
import { type AttributeSaleInput, attributeSaleInputSchema, codeSchema } from '../schemas/inputs.js';
import { parseInput } from '../schemas/parse.js';
import type { CreateReferralOptions } from './options.js';
import { EngineRuntime } from './runtime.js';
import type { Ref } from '../core/ids.js';
import type { Types } from 'mongoose';

export interface ResolvedReferrer {
  ownerRef: Ref;
  ownerModel: string;
  codeId: Types.ObjectId;
  code: string;
}

export interface ReferralEvents {
  readonly transport: EventTransport;
  readonly definitions: typeof referralEventDefinitions;
  /** Subscribe through the transport (`*`, `referral:*`, `referral:code.*` or an exact type). */
  subscribe(pattern: string, handler: EventHandler<DomainEvent>): Promise<Unsubscribe>;
  /**
   * Publishes events that were stored but never acknowledged: after a crash, a transport
   * outage, or a committed transaction. With `ctx.organizationId`, only that tenant's.
   */
  redeliver(options?: RedeliverOptions, ctx?: ReferralContext): Promise<RedeliverReport>;
  /** Runs `redeliver` every `intervalMs` until the returned stop function (or destroy()) is called. */
  startRelay(options?: RedeliverOptions & { intervalMs?: number }): () => void;
}

export interface ReferralEngine {
  readonly repositories: { readonly referralCode: ReferralCodeRepository; readonly referral: ReferralRepository };
  readonly models: ReferralModels;
  readonly events: ReferralEvents;
  /** The referrer behind a code, or null for unknown, deactivated and deleted codes. One indexed read. */
  resolveReferrer(code: string, ctx?: ReferralContext): Promise<ResolvedReferrer | null>;
  /** Checkout in one call: resolve the code and record the sale. Null for an unknown code. */
  attributeSale(input: AttributeSaleInput, ctx?: ReferralContext): Promise<ReferralRecord | null>;
  /** Creates the declared indexes and drops stale ones this package owns. Call at deploy. */
  syncIndexes(): Promise<SyncIndexesReport>;
  /** Unregisters the models and closes what the engine owns; idempotent. Never closes the connection. */
  destroy(): Promise<void>;
}

const DEFAULT_MAX_ATTEMPTS = 5;
const DEFAULT_ACK_DELAY_MS = 25;
const DEFAULT_RELAY_INTERVAL_MS = 5_000;

export const createReferral = async (options: CreateReferralOptions): Promise<ReferralEngine> => {
  if (!(options?.connection instanceof Connection)) {
    throw new ReferralError('validation_failed', 'createReferral needs a mongoose Connection as `connection`', 422, { details: { field: 'connection' } });
  }
  const { connection } = options;
  const tenant = resolveTenant(options.tenant);
  const ownsTransport = !options.events?.transport;
  const onError = options.events?.onError ?? ((error: unknown, event: DomainEvent) => console.error(`[@classytic/referral] ${event.type} handler/transport failed`, error));
  const transport = options.events?.transport ?? new InProcessBus({ onHandlerError: onError });
  const maxAttempts = options.codes?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError('codes.maxAttempts must be a positive integer');
  const generate = options.codes?.generate ?? createCodeGenerator(options.codes ?? {});
  const { models, owned } = registerModels(connection, tenant, options.collectionPrefix ?? '');
  const publisher = new EventPublisher(transport, onError, { store: options.events?.outbox, ackDelayMs: options.events?.ackDelayMs ?? DEFAULT_ACK_DELAY_MS });
  const runtime = new EngineRuntime(tenant, models, publisher, { generate, maxAttempts }, options.review);
  const relays = new Set<() => void>();
  const outboxCollections = [models.ReferralCode.collection, models.Referral.collection] as unknown as Parameters<EventPublisher['redeliver']>[0];

  const redeliver = async (redeliverOptions?: RedeliverOptions, ctx?: ReferralContext): Promise<RedeliverReport> => {
    if (runtime.destroyed) throw new ReferralError('engine_destroyed', 'This referral engine was destroyed', 409);
    // Tenant-scoped when a tenant is given; a system relay drains every tenant.
    const filter = ctx?.organizationId ? tenantScope(tenant, ctx) : {};
    return publisher.redeliver(outboxCollections, filter, redeliverOptions);
  };

  const startRelay = ({ intervalMs = DEFAULT_RELAY_INTERVAL_MS, ...redeliverOptions }: RedeliverOptions & { intervalMs?: number } = {}) => {
    let running = false;
    const timer = setInterval(() => {
      if (running || runtime.destroyed) return;
      running = true;
      redeliver({ olderThanMs: intervalMs, ...redeliverOptions })
        .catch((error: unknown) => onError(error, { type: 'referral:outbox.relay', payload: {}, meta: { id: 'relay', timestamp: new Date() } }))
        .finally(() => {
          running = false;
        });
    }, intervalMs);
    timer.unref();
    const stop = () => {
      clearInterval(timer);
      relays.delete(stop);
    };
    relays.add(stop);
    return stop;
  };
  const referralCode = new ReferralCodeRepository(runtime);
  const referral = new ReferralRepository(runtime);

  const resolveReferrer = async (code: string, ctx?: ReferralContext): Promise<ResolvedReferrer | null> => {
    const scope = runtime.scope(ctx);
    const doc = await findActiveCode(runtime, scope, parseInput(codeSchema, code, 'code'), ctx);
    return doc ? { ownerRef: doc.ownerRef, ownerModel: doc.ownerModel, codeId: doc._id, code: doc.code } : null;
  };

  const attributeSale = async (input: AttributeSaleInput, ctx?: ReferralContext): Promise<ReferralRecord | null> => {
    const scope = runtime.scope(ctx);
    const parsed = parseInput(attributeSaleInputSchema, input, 'input');
    const code = await findActiveCode(runtime, scope, parsed.code, ctx);
    if (!code) return null;
    return writeConversion(runtime, scope, { ref: code.ownerRef, model: code.ownerModel, codeId: code._id, code: code.code }, parsed, ctx);
  };

  const engine: ReferralEngine = {
    repositories: { referralCode, referral },
    models,
    events: {
      transport,
      definitions: referralEventDefinitions,
      subscribe: async (pattern, handler) => {
        if (!transport.subscribe) throw new ReferralError('validation_failed', `Transport "${transport.name}" does not support subscribe`, 422);
        return transport.subscribe(pattern, handler);
      },
      redeliver,
      startRelay,
    },
    resolveReferrer,
    attributeSale,
    syncIndexes: () => syncOwnedIndexes(owned),
    destroy: async () => {
      if (runtime.destroyed) return;
      runtime.destroyed = true;
      for (const stop of [...relays]) stop();
      await publisher.flush();
      unregisterModels(connection, models);
      if (ownsTransport) await transport.close?.();
    },
  };
  if (options.autoIndex) await engine.syncIndexes();
  return engine;
};
