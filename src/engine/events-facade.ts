import { referralEventDefinitions } from '../events/definitions.js';
import type { ReferralEventHandler, ReferralEventPattern } from '../events/emitted.js';

import { operationalEvent } from '../events/operational.js';
import { eventIdSchema, type RedeliverOptions, type RedeliverReport, type RelayOptions, redeliverOptionsSchema, relayOptionsSchema } from '../events/outbox.js';

import type { DomainEvent, EventHandler, EventTransport, Unsubscribe } from '../events/types.js';
import type { ReferralContext } from '../kernel/context.js';
import { ReferralError } from '../kernel/errors.js';
import { parseInput } from '../kernel/input.js';
import type { OutboxHealth } from '../store/outbox/health.js';
import type { OutboxScope } from '../store/outbox/outbox.js';
import type { ParkedEvent } from '../store/outbox/parking.js';
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
const DEFAULT_REDELIVER_LIMIT = 100;

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
  const { deps, lifecycle, transport } = parts;
  const { writes } = deps;
  const relays = new Set<() => void>();

  /** Only a call without any ctx spans tenants; a ctx must name its tenant like any verb's. */
  const scopeOf = (ctx: ReferralContext | undefined): OutboxScope => {
    lifecycle.assertOpen();
    return ctx === undefined ? { tenant: {}, now: new Date() } : deps.open(ctx);
  };

  const redeliver = async (ctx?: ReferralContext, options: RedeliverOptions = {}): Promise<RedeliverReport> => {
    const scope = scopeOf(ctx);
    const { limit = DEFAULT_REDELIVER_LIMIT, olderThanMs = 0 } = parseInput(redeliverOptionsSchema, options, 'options');
    await writes.voidAbandoned(scope, deps.referrals, olderThanMs);
    await writes.voidAbandoned(scope, deps.leads, olderThanMs);
    return writes.redeliver(scope, { limit, olderThanMs });
  };

  const startRelay = relayStarter(redeliver, parts, relays);

  const subscribe = async <P extends ReferralEventPattern>(pattern: P, handler: ReferralEventHandler<P>): Promise<Unsubscribe> => {
    if (!transport.subscribe) throw new ReferralError('validation_failed', `Transport "${transport.name}" does not support subscribe`, 422);
    // The engine only emits events built by their definitions, so what arrives is what P matches.
    return transport.subscribe(pattern, handler as unknown as EventHandler<DomainEvent>);
  };

  const parked = async (ctx?: ReferralContext, options: Pick<RedeliverOptions, 'limit'> = {}) => {
    const scope = scopeOf(ctx);
    const { limit = DEFAULT_REDELIVER_LIMIT } = parseInput(redeliverOptionsSchema.pick({ limit: true }), options, 'options');
    return writes.outbox.parked(scope, limit);
  };

  const requeue = async (eventId: string, ctx?: ReferralContext) => {
    const scope = scopeOf(ctx);
    return writes.outbox.requeue(scope, parseInput(eventIdSchema, eventId, 'eventId'));
  };

  const pending = async (ctx?: ReferralContext): Promise<Record<string, OutboxHealth>> => writes.outbox.health(scopeOf(ctx));

  return {
    events: { transport, definitions: referralEventDefinitions, subscribe, redeliver, startRelay, parked, requeue, pending },
    stopRelays: () => {
      for (const stop of [...relays]) stop();
    },
  };
};
