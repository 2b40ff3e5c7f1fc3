import { type Connection, Types } from 'mongoose';
import { type CreateReferralOptions, createReferral, type DomainEvent, type ReferralEngine } from '../../src/index.js';
import { destroyAfterFile } from './database.js';
import { checkEventContract } from './event-contract.js';

export interface TestEngine {
  engine: ReferralEngine;
  /** Every event published through the engine's transport, in order. */
  events: DomainEvent[];
  eventsOf(type: string): DomainEvent[];
}

let prefixCounter = 0;

/** A fresh engine with its own collection prefix and indexes in place, recording every event. */
export const createTestEngine = async (connection: Connection, options: Partial<CreateReferralOptions> = {}): Promise<TestEngine> => {
  const engine = await createReferral({ connection, collectionPrefix: `t${++prefixCounter}_`, ...options });
  destroyAfterFile(engine);
  await engine.syncIndexes();
  const events: DomainEvent[] = [];
  await engine.events.subscribe('*', (event) => {
    checkEventContract(event);
    events.push(event);
  });
  return { engine, events, eventsOf: (type) => events.filter((event) => event.type === type) };
};

export const newTenantContext = () => ({ organizationId: new Types.ObjectId().toHexString() });

export const oid = () => new Types.ObjectId();

/** The lead model of an engine created with leads on (without them it is not registered). */
export const leadModel = (engine: { models: ReferralEngine['models'] }) => {
  const model = engine.models.ReferralLead;
  if (!model) throw new Error('This engine was created with leads off: it registers no lead model');
  return model;
};
