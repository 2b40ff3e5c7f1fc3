import { Schema } from 'mongoose';

/**
 * The one list of the fields an embedded outbox keeps on a document, with the part each plays:
 * `pending` (events not yet acknowledged and the relay's marker), `counts` (failed deliveries per
 * pending event), `parked` (poison events and their marker). Projections, acknowledgements, voids
 * and the schema paths below derive from it.
 */
const OUTBOX_FIELDS = {
  outbox: 'pending',
  pendingEventsAt: 'pending',
  deliveryFailures: 'counts',
  parkedEvents: 'parked',
  parkedEventsAt: 'parked',
} as const;

type OutboxField = keyof typeof OUTBOX_FIELDS;
type Role = (typeof OUTBOX_FIELDS)[OutboxField];

const fieldsIn = (...roles: Role[]): OutboxField[] => (Object.keys(OUTBOX_FIELDS) as OutboxField[]).filter((field) => roles.includes(OUTBOX_FIELDS[field]));

const excluding = (fields: readonly OutboxField[]) => Object.fromEntries(fields.map((field) => [field, 0])) as { readonly [F in OutboxField]?: 0 };

/** Outbox bookkeeping, and the change stamp the dashboards read (`STAMP_CHANGED`), stay internal: records returned to callers never carry them. */
export const PUBLIC_PROJECTION = { ...excluding(fieldsIn('pending', 'counts', 'parked')), changedAt: 0 } as const;

/** A relay reads whole documents (compact events are rebuilt from them), less the failure counts and parked events. */
export const RELAY_PROJECTION = excluding(fieldsIn('counts', 'parked'));

/** Unset when nothing is left pending on a document: its events, its relay marker and their failure counts. */
export const PENDING_UNSET = Object.fromEntries(fieldsIn('pending', 'counts').map((field) => [field, ''])) as Record<string, ''>;

const PUBLIC_OMITTED = Object.keys(PUBLIC_PROJECTION);

/** Removes the outbox fields from a document read without the public projection. */
export const withoutOutboxFields = <T>(doc: T): T => {
  if (doc) for (const field of PUBLIC_OMITTED) delete (doc as Record<string, unknown>)[field];
  return doc;
};

/** Schema paths of the embedded outbox. */
export const outboxPaths = {
  outbox: { type: [Schema.Types.Mixed], default: undefined },
  pendingEventsAt: { type: Date },
  deliveryFailures: { type: Schema.Types.Mixed },
  parkedEvents: { type: [Schema.Types.Mixed], default: undefined },
  parkedEventsAt: { type: Date },
} as const satisfies { readonly [F in OutboxField]: unknown };
