import type { ReferralContext } from '../core/context.js';
import { ReferralError } from '../core/errors.js';
import { tenantScope } from '../core/tenant.js';
import { referralEventDefinitions } from '../events/definitions.js';
import type { RedeliverOptions, RedeliverReport } from '../events/outbox.js';
import type { EventPublisher } from '../events/publisher.js';
import type { DomainEvent, EventHandler, EventTransport, Unsubscribe } from '../events/types.js';
import type { EngineRuntime } from './runtime.js';

export interface ReferralEvents {
  readonly transport: EventTransport;
  readonly definitions: typeof referralEventDefinitions;
  /** Subscribe through the transport (`*`, `referral:*`, `referral:code.*` or an exact type). */
  subscribe(pattern: string, handler: EventHandler<DomainEvent>): Promise<Unsubscribe>;
  /**
   * Publishes events that were stored but never acknowledged: after a crash, a transport
   * outage, or a committed transaction. With `ctx.organizationId`, only that tenant's.
   */
  redeliver(ctx?: ReferralContext, options?: RedeliverOptions): Promise<RedeliverReport>;
  /** Runs `redeliver` every `intervalMs` until the returned stop function (or destroy()) is called. */
  startRelay(options?: RedeliverOptions & { intervalMs?: number }): () => void;
}

const DEFAULT_RELAY_INTERVAL_MS = 5_000;

const relayFailure = (): DomainEvent => ({ type: 'referral:outbox.relay', payload: {}, meta: { id: 'relay', timestamp: new Date() } });

/** The engine's `events` member, plus `stopRelays()` for destroy(). */
export const createEventsFacade = (
  runtime: EngineRuntime,
  transport: EventTransport,
  publisher: EventPublisher,
  onError: (error: unknown, event: DomainEvent) => void,
): { events: ReferralEvents; stopRelays: () => void } => {
  const relays = new Set<() => void>();
  const outboxCollections = [runtime.models.ReferralCode.collection, runtime.models.Referral.collection] as unknown as Parameters<EventPublisher['redeliver']>[0];

  const redeliver = async (ctx?: ReferralContext, options?: RedeliverOptions): Promise<RedeliverReport> => {
    if (runtime.destroyed) throw new ReferralError('engine_destroyed', 'This referral engine was destroyed', 409);
    // Tenant-scoped when a tenant is given; a system relay drains every tenant.
    const filter = ctx?.organizationId ? tenantScope(runtime.tenant, ctx) : {};
    return publisher.redeliver(outboxCollections, filter, options);
  };

  const startRelay = ({ intervalMs = DEFAULT_RELAY_INTERVAL_MS, ...options }: RedeliverOptions & { intervalMs?: number } = {}) => {
    let running = false;
    const timer = setInterval(() => {
      if (running || runtime.destroyed) return;
      running = true;
      redeliver(undefined, { olderThanMs: intervalMs, ...options })
        .catch((error: unknown) => onError(error, relayFailure()))
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

  const subscribe = async (pattern: string, handler: EventHandler<DomainEvent>): Promise<Unsubscribe> => {
    if (!transport.subscribe) throw new ReferralError('validation_failed', `Transport "${transport.name}" does not support subscribe`, 422);
    return transport.subscribe(pattern, handler);
  };

  return {
    events: { transport, definitions: referralEventDefinitions, subscribe, redeliver, startRelay },
    stopRelays: () => {
      for (const stop of [...relays]) stop();
    },
  };
};
