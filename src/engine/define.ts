import type { Connection } from 'mongoose';
import type { OutboxStore } from '../events/outbox.js';
import type { EventTransport } from '../events/types.js';
import { buildEngine } from './create-referral.js';
import type { ReferralEngine } from './engine.js';
import { modelNamesFor } from './models.js';
import type { CreateReferralOptions } from './options.js';
import { wireEngine } from './wiring.js';

/** What `defineReferral` describes: everything but the connection and the runtime collaborators. */
export interface ReferralShape extends Omit<CreateReferralOptions, 'connection' | 'events' | 'autoIndex'> {
  events?: Omit<NonNullable<CreateReferralOptions['events']>, 'transport' | 'outbox'>;
}

/** Bind-time collaborators, as the family's kernels take them (@classytic/revenue's `RevenueRuntime`). */
export interface ReferralRuntime {
  /** A host transport (arc's bus, primitives' InProcessEventBus): never closed by the engine. Without one the engine owns and closes its bus. */
  eventTransport?: EventTransport | undefined;
  /** A host outbox; it must declare `transactionalSave: true`. */
  outbox?: OutboxStore | undefined;
}

export interface ReferralBlueprint {
  readonly id: 'referral';
  /** The models `bind` registers, known without a connection (the lead model only with `attribution.leads: true`). */
  readonly modelNames: readonly string[];
  /** Registers the models on `connection` and returns the engine. Synchronous, and no index I/O: call `syncIndexes()` at deploy. */
  bind(connection: Connection, runtime?: ReferralRuntime): ReferralEngine;
}

/**
 * Describes a referral engine the family's way (mongokit kernel-conformance): pure, no model
 * registered and no I/O until `bind`. `createReferral(options)` is the same engine in one call.
 */
export const defineReferral = (shape: ReferralShape = {}): ReferralBlueprint => {
  const modelNames = Object.freeze(modelNamesFor(shape.collectionPrefix ?? '', shape.attribution?.leads === true));
  return {
    id: 'referral',
    modelNames,
    bind: (connection, runtime = {}) =>
      buildEngine(
        wireEngine({
          ...shape,
          connection,
          events: {
            ...shape.events,
            ...(runtime.eventTransport ? { transport: runtime.eventTransport } : {}),
            ...(runtime.outbox ? { outbox: runtime.outbox } : {}),
          },
        }),
      ),
  };
};
