import type { Connection } from 'mongoose';
import type { ReferralBindingRecord } from '../attribution/binding.model.js';
import type { ReferralLeadRecord } from '../attribution/lead.model.js';
import { voidUndecidedLeadsOf, voidUndecidedLeadsOfCode } from '../attribution/leads.js';
import { resolveAttributionPolicy } from '../attribution/policy.js';
import type { ReferralTouchRecord } from '../attribution/touch.model.js';
import type { CodeConfig } from '../codes/deps.js';
import { createCodeGenerator, DEFAULT_RESERVED_WORDS } from '../codes/format.js';
import type { ReferralCodeRecord } from '../codes/model.js';
import { CodeCache } from '../codes/resolver.js';
import type { ErasureDeps } from '../erasure/erase.js';
import { InProcessBus } from '../events/in-process-bus.js';
import { REFERRAL_EVENTS } from '../events/names.js';
import { operationalEvent } from '../events/operational.js';
import type { OutboxStore } from '../events/outbox.js';
import { type ErrorReport, EventPublisher } from '../events/publisher.js';
import type { DomainEvent, EventTransport } from '../events/types.js';
import { configError } from '../kernel/errors.js';
import type { ReferralLogger } from '../kernel/logger.js';
import { resolveTenant } from '../kernel/tenant.js';
import { voidUndecidedSales, voidUndecidedSalesOf } from '../referrals/conversion.js';
import { convertedExpander } from '../referrals/events.js';
import { releaseHolds } from '../referrals/hold.js';
import type { ReferralRecord } from '../referrals/model.js';
import type { ReferralReferrerRecord } from '../referrers/model.js';
import type { ReferralRollupRecord } from '../stats/rollup.model.js';
import { WriteExecutor } from '../store/executor.js';
import { EmbeddedOutbox } from '../store/outbox/embedded-outbox.js';
import { HostOutbox } from '../store/outbox/host-outbox.js';
import type { AnyCollection, Outbox } from '../store/outbox/outbox.js';
import { driverCollection, EngineLifecycle, scopeOpener } from '../store/scope.js';
import type { OwnedModel } from '../store/sync-indexes.js';
import { assertKnownOptions } from './known-options.js';
import { leadCollectionOf, type ReferralModels, registerModels } from './models.js';
import type { CreateReferralOptions } from './options.js';

const DEFAULT_MAX_ATTEMPTS = 5;
const DEFAULT_ACK_DELAY_MS = 25;
const DEFAULT_PUBLISH_TIMEOUT_MS = 500;
const DEFAULT_MAX_DELIVERY_ATTEMPTS = 10;
/** Twice MongoDB's default `transactionLifetimeLimitSeconds`: a change stamped in a host transaction is committed by then. */
const DEFAULT_GRACE_MS = 120_000;

/** Everything one engine is built from; the factory turns it into the public object. */
export interface EngineParts {
  connection: Connection;
  deps: ErasureDeps;
  lifecycle: EngineLifecycle;
  models: ReferralModels;
  owned: OwnedModel[];
  transport: EventTransport;
  ownsTransport: boolean;
  /** The engine's `timeoutMS`: every verb call's bound, if set. */
  timeoutMs: number | undefined;
  onError: (error: unknown, event: DomainEvent) => void;
}

/** By shape, not instanceof: mongoose is CommonJS (no named `Connection` export under ESM) and a host may carry its own copy. */
const isConnection = (value: unknown): value is Connection =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Connection).model === 'function' &&
  typeof (value as Connection).deleteModel === 'function' &&
  typeof (value as Connection).models === 'object';

/** Delivery failures go to the logger unless the host handles them itself. */
const logDeliveryFailure = (logger: ReferralLogger | null) => (error: unknown, event: DomainEvent) =>
  logger?.error(
    { err: error, eventType: event.type, eventId: event.meta.id, code: (error as { code?: unknown })?.code },
    `[@classytic/referral] delivering ${event.type} failed`,
  );

/** Checkout's code cache: on by default behind the fence; off by default without it (nothing would re-check a stale code). */
const DEFAULT_CODE_CACHE = { ttlMs: 30_000, max: 10_000 } as const;

const codeCache = (options: NonNullable<CreateReferralOptions['codes']>): CodeCache | undefined => {
  if (options.cache === false) return undefined;
  if (options.cache !== undefined) return new CodeCache(options.cache);
  return options.deactivationFence === false ? undefined : new CodeCache(DEFAULT_CODE_CACHE);
};

const codeConfig = (options: CreateReferralOptions['codes'] = {}): CodeConfig => {
  const maxAttempts = positiveInteger('codes.maxAttempts', options.maxAttempts, DEFAULT_MAX_ATTEMPTS);
  return {
    generate: options.generate ?? createCodeGenerator(options),
    maxAttempts,
    cache: codeCache(options),
    deactivationFence: options.deactivationFence ?? true,
    reservedWords: new Set((options.reservedWords ?? DEFAULT_RESERVED_WORDS).map((word) => word.toUpperCase())),
  };
};

const positiveInteger = (option: string, value: unknown, fallback: number): number => {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw configError(option, 'Must be a positive whole number');
  return value;
};

interface DeliveryConfig {
  ackDelayMs: number;
  publishTimeoutMs: number;
  maxDeliveryAttempts: number;
  publishAfterWrite: boolean;
}

const booleanOption = (option: string, value: unknown, fallback: boolean): boolean => {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw configError(option, 'Must be true or false');
  return value;
};

const deliveryConfig = (options: CreateReferralOptions['events'] = {}): DeliveryConfig => ({
  ackDelayMs: options.ackDelayMs ?? DEFAULT_ACK_DELAY_MS,
  publishTimeoutMs: positiveInteger('events.publishTimeoutMs', options.publishTimeoutMs, DEFAULT_PUBLISH_TIMEOUT_MS),
  maxDeliveryAttempts: positiveInteger('events.maxDeliveryAttempts', options.maxDeliveryAttempts, DEFAULT_MAX_DELIVERY_ATTEMPTS),
  publishAfterWrite: booleanOption('events.publishAfterWrite', options.publishAfterWrite, true),
});

/** A throwing error hook must not turn a committed write into a failed call. */
const safely =
  (onError: ErrorReport): ErrorReport =>
  (error, event) => {
    try {
      onError(error, event);
    } catch {
      // The host's hook failed; the write it reports on stands.
    }
  };

/** The host's OutboxStore when given, else events embedded in the documents they describe. */
const chooseOutbox = (
  store: OutboxStore | undefined,
  collections: AnyCollection[],
  tenantField: string | null,
  delivery: DeliveryConfig,
  report: ErrorReport,
): Outbox =>
  store
    ? new HostOutbox(store, report, collections)
    : new EmbeddedOutbox({
        collections,
        compaction: { expanders: { [REFERRAL_EVENTS.converted]: convertedExpander }, tenantField },
        ackDelayMs: delivery.ackDelayMs,
        maxDeliveryAttempts: delivery.maxDeliveryAttempts,
        report,
        ackFailureEvent: operationalEvent('referral:outbox.ack'),
      });

/**
 * A host outbox must write in the caller's session: otherwise a sale that rolls back keeps its
 * `referral:converted` and a commission is paid for a sale that never committed.
 */
const assertTransactionalOutbox = (outbox: OutboxStore | undefined): void => {
  if (outbox && outbox.transactionalSave !== true) {
    throw configError(
      'events.outbox.transactionalSave',
      'The OutboxStore must declare transactionalSave: true (its save() writes in options.session); ' +
        'a store that ignores the session would emit events for sales that rolled back',
    );
  }
};

/** The review hooks as given, with `holdDays` checked: a hold is whole or fractional days, up to ten years. */
const reviewConfig = (review: CreateReferralOptions['review']): CreateReferralOptions['review'] => {
  const days = review?.holdDays;
  if (days !== undefined && !(typeof days === 'number' && days > 0 && days <= 3650))
    throw configError('review.holdDays', 'Must be a number of days in (0, 3650]');
  return review;
};

/** Validates the options, registers the models and builds the dependencies every verb shares. */
export const wireEngine = (options: CreateReferralOptions): EngineParts => {
  // Checked first, so a refused engine leaves the connection's model registry untouched.
  if (!isConnection(options?.connection)) throw configError('connection', 'Expected a mongoose Connection');
  assertKnownOptions(options);
  assertTransactionalOutbox(options.events?.outbox);
  const timeoutMs = options.timeoutMS === undefined ? undefined : positiveInteger('timeoutMS', options.timeoutMS, 0);
  const { connection } = options;
  const tenant = resolveTenant(options.tenant);
  const onError = options.events?.onError ?? logDeliveryFailure(options.logger === undefined ? console : options.logger);
  const delivery = deliveryConfig(options.events);
  // The engine's own bus rejects when a subscriber throws, so the event stays pending and is redelivered.
  const transport = options.events?.transport ?? new InProcessBus();
  const config = codeConfig(options.codes);
  const policy = resolveAttributionPolicy(options.attribution);
  const prefix = options.collectionPrefix ?? '';
  const { models, owned } = registerModels(connection, tenant, prefix, { touchTtlSeconds: policy.touchTtlSeconds, leads: policy.leads });
  const collections = {
    codes: driverCollection<ReferralCodeRecord>(models.ReferralCode),
    referrals: driverCollection<ReferralRecord>(models.Referral),
    leads: driverCollection<ReferralLeadRecord>(leadCollectionOf(connection, prefix, models)),
    referrers: driverCollection<ReferralReferrerRecord>(models.ReferralReferrer),
  };
  const report = safely(onError);
  const tenantField = tenant.strategy === 'none' ? null : tenant.field;
  const outbox = chooseOutbox(options.events?.outbox, Object.values(collections) as unknown as AnyCollection[], tenantField, delivery, report);
  const lifecycle = new EngineLifecycle();
  const deps: ErasureDeps = {
    open: scopeOpener(tenant, lifecycle, delivery.publishTimeoutMs),
    writes: new WriteExecutor(outbox, new EventPublisher(transport, report), delivery),
    ...collections,
    touches: driverCollection<ReferralTouchRecord>(models.ReferralTouch),
    bindings: driverCollection<ReferralBindingRecord>(models.ReferralBinding),
    config,
    afterRetire: async (scope, codeId) => {
      await voidUndecidedSales(deps, scope, codeId);
      await voidUndecidedLeadsOfCode(deps, scope, codeId);
    },
    afterSuspend: async (scope, referrer) => {
      await voidUndecidedSalesOf(deps, scope, referrer);
      await voidUndecidedLeadsOf(deps, scope, referrer);
      await releaseHolds(deps, scope, referrer);
    },
    review: reviewConfig(options.review),
    guards: options.guards ?? [],
    policy,
    secret: options.erasure?.secret,
    rollups: {
      collection: driverCollection<ReferralRollupRecord>(models.ReferralRollup),
      graceMs: positiveInteger('stats.graceMs', options.stats?.graceMs, DEFAULT_GRACE_MS),
      covers: (scope) => !scope.inTransaction && (tenantField === null || scope.tenant[tenantField] !== undefined),
    },
  };
  return { connection, deps, lifecycle, models, owned, transport, ownsTransport: !options.events?.transport, onError: report, timeoutMs };
};
