import type { ReferralEventName } from './names.js';
import type { ReferralEventPayloads } from './payloads.js';
import type { EventMeta } from './types.js';

/** Meta of an event the engine emitted: its idempotency key, source and subject are always set. */
export interface ReferralEventMeta extends EventMeta {
  idempotencyKey: string;
  source: string;
  schemaVersion: number;
  resource: 'referral' | 'referral_code';
  resourceId: string;
}

/** An event as the engine emits it; a union over the names, so `event.type` narrows `event.payload`. */
export type EmittedReferralEvent<K extends ReferralEventName = ReferralEventName> = {
  [P in K]: { type: P; payload: ReferralEventPayloads[P]; meta: ReferralEventMeta };
}[K];

/** What `events.subscribe` takes: an event name, `referral:code.*`, `referral:*` or `*`. */
export type ReferralEventPattern = ReferralEventName | 'referral:code.*' | 'referral:*' | '*';

/** The events a pattern matches. */
export type EventsMatching<P extends ReferralEventPattern> = P extends ReferralEventName
  ? EmittedReferralEvent<P>
  : P extends 'referral:code.*'
    ? EmittedReferralEvent<Extract<ReferralEventName, `referral:code.${string}`>>
    : EmittedReferralEvent;

export type ReferralEventHandler<P extends ReferralEventPattern> = (event: EventsMatching<P>) => void | Promise<void>;
