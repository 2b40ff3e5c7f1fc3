/**
 * Event shapes, structurally identical to @classytic/primitives' `events` contract (which
 * mirrors @classytic/arc's `EventTransport.ts`), so the family's transports, buses and events
 * pass in and out without a cast or an adapter. Checked in tests/family/.
 */

export interface EventMeta {
  /** Unique per emitted event (UUID v4). */
  id: string;
  timestamp: Date;
  schemaVersion?: number;
  /** Stable across a causal chain; from `ctx.correlationId`. */
  correlationId?: string;
  /** The `meta.id` of the parent event that caused this one. */
  causationId?: string;
  partitionKey?: string;
  resource?: string;
  resourceId?: string;
  /** The actor (`ctx.actorId`) that caused the change. */
  userId?: string;
  organizationId?: string;
  /** Emitting package: `@classytic/referral`. */
  source?: string;
  /** Stable per state change (`referral:<id>:converted`): consumers drop duplicates with it. */
  idempotencyKey?: string;
  aggregate?: { type: string; id: string };
}

export interface DomainEvent<TPayload = unknown, TType extends string = string> {
  type: TType;
  payload: TPayload;
  meta: EventMeta;
}

export type EventHandler<TEvent extends DomainEvent = DomainEvent> = (event: TEvent) => void | Promise<void>;

/** Returns nothing; removes the subscription. */
export type Unsubscribe = () => void;

/** Per-event outcome of `publishMany`, keyed by `meta.id`: null for success. */
export type PublishManyResult = ReadonlyMap<string, Error | null>;

/** A permanently failed event handed to a transport's dead-letter sink. */
export interface DeadLetteredEvent<T = unknown> {
  event: DomainEvent<T>;
  error: { message: string; code?: string; stack?: string };
  attempts: number;
  firstFailedAt: Date;
  lastFailedAt: Date;
  handlerName?: string;
}

export interface EventTransport {
  readonly name: string;
  publish(event: DomainEvent): Promise<void>;
  publishMany?(events: readonly DomainEvent[]): Promise<PublishManyResult>;
  subscribe?(pattern: string, handler: EventHandler): Promise<() => void>;
  deadLetter?(dlq: DeadLetteredEvent): Promise<void>;
  close?(): Promise<void>;
}
