import { referralEventDefinitions } from '../events/definitions.js';
import type { ReferralEventHandler, ReferralEventPattern } from '../events/emitted.js';
import { type OutboxHealth, outboxHealth } from '../events/health.js';
import { operationalEvent } from '../events/operational.js';
import { eventIdSchema, type RedeliverOptions, type RedeliverReport, type RelayOptions, redeliverOptionsSchema, relayOptionsSchema } from '../events/outbox.js';
import type { ParkedEvent } from '../events/parking.js';
import type { EventPublisher } from '../events/publisher.js';
import type { DomainEvent, EventHandler, EventTransport, Unsubscribe } from '../events/types.js';
import type { ReferralContext } from '../kernel/context.js';
import { ReferralError } from '../kernel/errors.js';
import { parseInput } from '../kernel/validation.js';
import type { EngineParts } from './wiring.js';

export interface ReferralEvents {
  readonly transport: EventTransport;
  readonly definitions: typeof referralEventDefinitions;
  /**
   * Subscribe through the transport to an event name, `referral:code.*`, `referral:*` or `*`; the
   * handler is typed by what the pattern matches (`'referral:approved'` gets its payload).
   */
  subscribe<P extends ReferralEventPattern>(pattern: P, handler: ReferralEventHandler<P>): Promise<Unsubscribe>;
  /**
   * Publishes events that were stored but never acknowledged: after a crash, a transport
   * outage, a failed subscriber, or a committed transaction. With a ctx, only that tenant's
   * (a ctx without a tenant is refused); without one, every tenant's (the system relay).
   */
  redeliver(ctx?: ReferralContext, options?: RedeliverOptions): Promise<RedeliverReport>;
  /** Runs `redeliver()` for every tenant every `intervalMs` until the returned stop function (or destroy()) is called. */
  startRelay(options?: RelayOptions): () => void;
  /** Events parked after `events.maxDeliveryAttempts` failed deliveries, oldest first (same tenant rule as redeliver). */
  parked(ctx?: ReferralContext, options?: Pick<RedeliverOptions, 'limit'>): Promise<ParkedEvent[]>;
  /** Puts a parked event back for the next redeliver(); false when there is no such parked event. */
  requeue(eventId: string, ctx?: ReferralContext): Promise<boolean>;
  /** Outbox health per collection (`referral_codes`, `referrals`): pending documents, the oldest one's age, parked documents. Same tenant rule as redeliver. */
  pending(ctx?: ReferralContext): Promise<Record<string, OutboxHealth>>;
}

const DEFAULT_RELAY_INTERVAL_MS = 5_000;

type Outboxes = Parameters<EventPublisher['redeliver']>[0];

/** `events.startRelay`: redeliver() for every tenant on a timer, until stopped or destroy(). */
const relayStarter =
  (redeliver: ReferralEvents['redeliver'], parts: EngineParts, relays: Set<() => void>) =>
  (options: RelayOptions = {}): (() => void) => {
    const { intervalMs = DEFAULT_RELAY_INTERVAL_MS, ...rest } = parseInput(relayOptionsSchema, options, 'options');
    let running = false;
    const timer = setInterval(() => {
      if (running || parts.lifecycle.destroyed) return;
      running = true;
      redeliver(undefined, { olderThanMs: intervalMs, ...rest })
        .catch((error: unknown) => parts.onError(error, operationalEvent('referral:outbox.relay')))
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

/** The engine's `events` member, plus `stopRelays()` for destroy(). */
export const createEventsFacade = (parts: EngineParts): { events: ReferralEvents; stopRelays: () => void } => {
  const { deps, lifecycle, transport, publisher } = parts;
  const relays = new Set<() => void>();
  const outboxes = [deps.codes.collection, deps.referrals.collection, deps.leads.collection] as unknown as Outboxes;

  /** Only a call without any ctx spans tenants; a ctx must name its tenant like any verb's. */
  const tenantOf = (ctx: ReferralContext | undefined): Record<string, unknown> => {
    lifecycle.assertOpen();
    return ctx === undefined ? {} : deps.open(ctx).tenant;
  };

  const redeliver = async (ctx?: ReferralContext, options: RedeliverOptions = {}): Promise<RedeliverReport> => {
    const filter = tenantOf(ctx);
    return publisher.redeliver(outboxes, filter, parseInput(redeliverOptionsSchema, options, 'options'));
  };

  const startRelay = relayStarter(redeliver, parts, relays);

  const subscribe = async <P extends ReferralEventPattern>(pattern: P, handler: ReferralEventHandler<P>): Promise<Unsubscribe> => {
    if (!transport.subscribe) throw new ReferralError('validation_failed', `Transport "${transport.name}" does not support subscribe`, 422);
    // The engine only emits events built by their definitions, so what arrives is what P matches.
    return transport.subscribe(pattern, handler as unknown as EventHandler<DomainEvent>);
  };

  const parked = async (ctx?: ReferralContext, options: Pick<RedeliverOptions, 'limit'> = {}) => {
    const filter = tenantOf(ctx);
    return publisher.parked(outboxes, filter, parseInput(redeliverOptionsSchema.pick({ limit: true }), options, 'options').limit);
  };

  const requeue = async (eventId: string, ctx?: ReferralContext) => {
    const filter = tenantOf(ctx);
    return publisher.requeue(outboxes, filter, parseInput(eventIdSchema, eventId, 'eventId'));
  };

  const pending = async (ctx?: ReferralContext): Promise<Record<string, OutboxHealth>> => {
    const filter = tenantOf(ctx);
    const now = new Date();
    const entries = await Promise.all(outboxes.map(async (collection) => [collection.collectionName, await outboxHealth(collection, filter, now)] as const));
    return Object.fromEntries(entries);
  };

  return {
    events: { transport, definitions: referralEventDefinitions, subscribe, redeliver, startRelay, parked, requeue, pending },
    stopRelays: () => {
      for (const stop of [...relays]) stop();
    },
  };
};
