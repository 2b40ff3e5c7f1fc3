import type { DomainEvent } from './types.js';

/**
 * The stand-in event `onError` receives when a failure belongs to no single emitted event (a
 * relay pass, a batch of acknowledgements). Never published.
 */
export const operationalEvent = (type: 'referral:outbox.relay' | 'referral:outbox.ack'): DomainEvent => ({
  type,
  payload: {},
  meta: { id: type.slice('referral:outbox.'.length), timestamp: new Date() },
});

/** The stand-in `onError` receives for a stored entry too damaged to rebuild its event from (it stays pending). */
export const unreadableEvent = (stored: { type: string; meta: { id: string } }): DomainEvent => ({
  type: stored.type,
  payload: {},
  meta: { timestamp: new Date(), ...stored.meta },
});

/** An unpublished event with one payload field replaced and its `metadata` dropped (erasure). */
export const scrubEvent = (event: DomainEvent, field: string, stand: string): DomainEvent => {
  const { metadata: _dropped, ...payload } = event.payload as Record<string, unknown>;
  return { ...event, payload: { ...payload, [field]: stand } };
};

/** A host's free text in a payload (a suspension's reason) may name an erased person: it keeps nothing of what was written. */
export const redactText = (event: DomainEvent, field: string): DomainEvent => {
  const payload = event.payload as Record<string, unknown>;
  return field in payload ? { ...event, payload: { ...payload, [field]: 'erased' } } : event;
};
