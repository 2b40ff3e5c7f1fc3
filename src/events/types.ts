/**
 * Event shapes, structurally the same as the @classytic family's, so a host transport built for
 * that family (or any object with the same members) plugs in without an adapter.
 */

export interface EventMeta {
  /** Unique per emitted event (UUID v4). */
  id: string;
  timestamp: Date;
  schemaVersion?: number;
  correlationId?: string;
  causationId?: string;
  /** The actor (`ctx.actorId`) that caused the change. */
  userId?: string;
  organizationId?: string;
  /** Emitting package: `@classytic/referral`. */
  source?: string;
  /** Stable per state change (`referral:<id>:converted`): consumers drop duplicates with it. */
  idempotencyKey?: string;
  resource?: string;
  resourceId?: string;
  [key: string]: unknown;
}

export interface DomainEvent<TPayload = unknown, TType extends string = string> {
  type: TType;
  payload: TPayload;
  meta: EventMeta;
}

export type EventHandler<TEvent extends DomainEvent = DomainEvent> = (event: TEvent) => void | Promise<void>;

/** Returns the unsubscribe function. */
export type Unsubscribe = () => void;

export interface EventTransport {
  readonly name: string;
  publish(event: DomainEvent): Promise<void>;
  publishMany?(events: readonly DomainEvent[]): Promise<void>;
  subscribe?(pattern: string, handler: EventHandler): Unsubscribe | Promise<Unsubscribe>;
  close?(): Promise<void>;
}
