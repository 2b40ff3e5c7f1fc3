import { referralEventDefinitions } from '../events/definitions.js';
import { operationalEvent } from '../events/operational.js';
import type { RedeliverOptions, RedeliverReport } from '../events/outbox.js';
import type { EventPublisher } from '../events/publisher.js';
import type { DomainEvent, EventHandler, EventTransport, Unsubscribe } from '../events/types.js';
import type { ReferralContext } from '../kernel/context.js';
import { ReferralError } from '../kernel/errors.js';
import type { EngineParts } from './wiring.js';

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

/** The engine's `events` member, plus `stopRelays()` for destroy(). */
export const createEventsFacade = (parts: EngineParts): { events: ReferralEvents; stopRelays: () => void } => {
  const { deps, lifecycle, transport, publisher, onError } = parts;
  const relays = new Set<() => void>();
  const outboxCollections = [deps.codes.collection, deps.referrals.collection] as unknown as Parameters<EventPublisher['redeliver']>[0];

  const redeliver = async (ctx?: ReferralContext, options?: RedeliverOptions): Promise<RedeliverReport> => {
    lifecycle.assertOpen();
    // Tenant-scoped when a tenant is given; a system relay drains every tenant.
    const filter = ctx?.organizationId ? deps.open(ctx).tenant : {};
    return publisher.redeliver(outboxCollections, filter, options);
  };

  const startRelay = ({ intervalMs = DEFAULT_RELAY_INTERVAL_MS, ...options }: RedeliverOptions & { intervalMs?: number } = {}) => {
    let running = false;
    const timer = setInterval(() => {
      if (running || lifecycle.destroyed) return;
      running = true;
      redeliver(undefined, { olderThanMs: intervalMs, ...options })
        .catch((error: unknown) => onError(error, operationalEvent('referral:outbox.relay')))
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
