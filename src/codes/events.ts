import { buildEvent, type EventScope } from '../events/definitions.js';
import { REFERRAL_EVENTS } from '../events/names.js';
import type { DomainEvent } from '../events/types.js';
import type { Ref } from '../kernel/ids.js';

/** The code fields every code event carries. */
export interface CodeEventSubject {
  _id: unknown;
  code: string;
  ownerRef: Ref;
  ownerModel: string;
}

const codePayload = (doc: CodeEventSubject) => ({ codeId: String(doc._id), code: doc.code, ownerRef: String(doc.ownerRef), ownerModel: doc.ownerModel });

const subjectOf = (doc: CodeEventSubject, change: string) => ({ resource: 'referral_code' as const, resourceId: String(doc._id), change });

export const codeCreatedEvent = (doc: CodeEventSubject, at: Date, ctx: EventScope): DomainEvent =>
  buildEvent(REFERRAL_EVENTS.codeCreated, { ...codePayload(doc), createdAt: at.toISOString() }, ctx, subjectOf(doc, 'created'));

export const codeDeactivatedEvent = (doc: CodeEventSubject, at: Date, ctx: EventScope): DomainEvent =>
  buildEvent(REFERRAL_EVENTS.codeDeactivated, { ...codePayload(doc), deactivatedAt: at.toISOString() }, ctx, subjectOf(doc, 'deactivated'));
