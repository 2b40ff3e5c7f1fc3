import type { Connection } from 'mongoose';
import type { AttributionConfig } from '../attribution/policy.js';
import type { CodeCacheOptions } from '../codes/resolver.js';
import type { OutboxStore } from '../events/outbox.js';
import type { DomainEvent, EventTransport } from '../events/types.js';
import type { FraudGuard } from '../guards/types.js';
import type { ReferralLogger } from '../kernel/logger.js';
import type { TenantConfig } from '../kernel/tenant.js';
import type { ReviewConfig } from '../referrals/deps.js';

export interface CreateReferralOptions {
  /** The host's mongoose connection. The engine registers models on it; it never opens or closes it. */
  connection: Connection;
  /**
   * Multi-tenant by default (`organizationId`, ObjectId, required); `false` for single-tenant.
   * Takes @classytic/repo-core's `TenantConfig` with its semantics (`strategy`, `contextKey`, `resolve`).
   */
  tenant?: TenantConfig | boolean;
  /** Prefix for collection and model names (`<prefix>referral_codes`, `<prefix>referrals`). */
  collectionPrefix?: string;
  events?: {
    /** Defaults to an in-process bus owned (and closed) by the engine; a host transport is never closed. */
    transport?: EventTransport;
    /** Publish failures land here; they never fail the write. Defaults to `console.error`. */
    onError?: (error: unknown, event: DomainEvent) => void;
    /**
     * A host outbox. Without one, events are stored in the changed document itself (same
     * write as the change) until the transport accepted them.
     */
    outbox?: OutboxStore;
    /** Least time between acknowledgement writes, in ms (one write at a time; acks arriving meanwhile join the next). Defaults to 25. */
    ackDelayMs?: number;
    /**
     * How long one verb waits for the transport (and, on the in-process bus, its subscribers)
     * for all the events it emits, before returning anyway, in ms; what was not accepted stays
     * pending for the relay. Defaults to 500, a budget a checkout can afford.
     */
    publishTimeoutMs?: number;
    /**
     * `false`: verbs return once their write committed and publish nothing; every event is sent
     * by the relay (`events.startRelay()` or `events.redeliver()`). Defaults to true.
     */
    publishAfterWrite?: boolean;
    /** Failed deliveries after which an event is parked (see `events.parked()`). Defaults to 10. */
    maxDeliveryAttempts?: number;
  };
  codes?: {
    /** Characters of generated codes; defaults to 8. */
    length?: number;
    /** Alphabet of generated codes; defaults to one without look-alikes (no 0/O/1/I/L). */
    alphabet?: string;
    /** Replaces the random generator (tests, custom formats). Must return a valid code. */
    generate?: () => string;
    /** Collisions tolerated before `code_space_exhausted`; defaults to 5. */
    maxAttempts?: number;
    /**
     * Checkout's in-process cache of resolved codes (attributeSale, recordConversion), saving
     * the code lookup. Default `{ ttlMs: 30_000, max: 10_000 }` while the deactivation fence is
     * on, which re-reads the stored code before a new sale stands; off by default with the fence
     * off. `false` turns it off. Other verbs always read the database.
     */
    cache?: CodeCacheOptions | false;
    /**
     * Re-check the stored code after recording a new sale and void the sale if the code was
     * deactivated, deleted or expired meanwhile (one extra read per new sale; a capped code's
     * slot claim is the check). Defaults to true.
     */
    deactivationFence?: boolean;
    /** Vanity codes nobody may claim (case-insensitive). Defaults to ADMIN, SUPPORT, ROOT, ... */
    reservedWords?: readonly string[];
  };
  review?: ReviewConfig;
  /**
   * Fraud guards run in order before a new referral is written (after the built-in
   * self-referral refusal): any `reject` writes nothing (`fraud_rejected`), any `flag` records
   * the referral with `review.flagged` and emits `referral:flagged`.
   */
  guards?: readonly FraudGuard[];
  /** Attribution without a code: by touches (`trackVisit`) and optional lifetime binding. */
  attribution?: AttributionConfig;
  stats?: {
    /**
     * How far, in ms, the dashboards' rollup watermarks stay behind the server's clock: a change is
     * taken as committed this long after its server timestamp. Raise it above the longest host
     * transaction that writes through the engine. Defaults to 120000.
     */
    graceMs?: number;
  };
  erasure?: {
    /** Keys the one-way hash that replaces erased refs (HMAC-SHA-256). Recommended: ids are guessable. */
    secret?: string;
  };
  /**
   * Where the engine logs what no caller sees (a failed delivery, a parked event): any logger with
   * pino's and console's `{ debug?, info?, warn, error }`, called object first. `null` silences it.
   * Defaults to `console`. `events.onError`, when given, receives delivery failures instead.
   */
  logger?: ReferralLogger | null;
  /** Create indexes during createReferral (development). Production: call `syncIndexes()` at deploy. */
  /**
   * The longest any verb call may take, in ms: past it the call rejects with `call_timeout` (504),
   * its outcome unknown as after a cut connection; a retry is answered as recorded. Unset: calls
   * wait for MongoDB (`serverSelectionTimeoutMS` and `bufferTimeoutMS` bound only the wait for a
   * server, not a command a stalled server is holding). `syncIndexes` and `destroy` are not bounded.
   */
  timeoutMS?: number;
  autoIndex?: boolean;
}
