import { randomUUID } from 'node:crypto';
import type { ReferralContext } from '../core/context.js';
import { EVENT_SOURCE, type ReferralEventName } from './names.js';
import type { ReferralEventPayloads } from './payloads.js';
import type { DomainEvent, EventMeta, EventTransport } from './types.js';

export interface EmitOptions {
  resource: 'referral' | 'referral_code';
  resourceId: string;
  /** The state change this event reports; forms the stable idempotency key. */
  change: string;
}

export type PublishErrorHandler = (error: unknown, event: DomainEvent) => void;

/**
 * Builds event envelopes and hands them to the transport after the write. Publishing is
 * best-effort at this layer: a transport failure is reported to `onError` and never fails or
 * undoes the write that caused it.
 */
export class EventPublisher {
  readonly #transport: EventTransport;
  readonly #onError: PublishErrorHandler;

  constructor(transport: EventTransport, onError: PublishErrorHandler) {
    this.#transport = transport;
    this.#onError = onError;
  }

  build<K extends ReferralEventName>(type: K, payload: ReferralEventPayloads[K], ctx: ReferralContext | undefined, options: EmitOptions): DomainEvent<ReferralEventPayloads[K], K> {
    const meta: EventMeta = {
      id: randomUUID(),
      timestamp: new Date(),
      schemaVersion: 1,
      source: EVENT_SOURCE,
      idempotencyKey: `${options.resource}:${options.resourceId}:${options.change}`,
      resource: options.resource,
      resourceId: options.resourceId,
    };
    if (ctx?.correlationId) meta.correlationId = ctx.correlationId;
    if (ctx?.idempotencyKey) meta.causationId = ctx.idempotencyKey;
    if (ctx?.actorId) meta.userId = String(ctx.actorId);
    if (ctx?.organizationId) meta.organizationId = String(ctx.organizationId);
    return { type, payload, meta };
  }

  async publish(event: DomainEvent): Promise<void> {
    try {
      await this.#transport.publish(event);
    } catch (error) {
      try {
        this.#onError(error, event);
      } catch {
        // A throwing error hook must not turn a committed write into a failed call.
      }
    }
  }

  async emit<K extends ReferralEventName>(type: K, payload: ReferralEventPayloads[K], ctx: ReferralContext | undefined, options: EmitOptions): Promise<DomainEvent> {
    const event = this.build(type, payload, ctx, options);
    await this.publish(event);
    return event;
  }
}
