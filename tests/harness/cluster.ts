import type { Connection } from 'mongoose';
import { type CreateReferralOptions, createReferral, type DomainEvent, type ReferralEngine } from '../../src/index.js';
import type { TestDatabase } from './database.js';
import { checkEventContract } from './event-contract.js';

let prefixes = 0;

/**
 * Several engines on several connections over the same collections: what several app
 * processes behind a load balancer look like to MongoDB. Every engine's events are collected.
 */
export const createCluster = async (db: TestDatabase, size: number, options: Partial<CreateReferralOptions> = {}) => {
  const prefix = `race${++prefixes}_`;
  const connections: Connection[] = [db.connection];
  for (let i = 1; i < size; i++) connections.push(await db.openConnection());
  const events: DomainEvent[] = [];
  const engines: ReferralEngine[] = [];
  for (const connection of connections) {
    const engine = await createReferral({ connection, collectionPrefix: prefix, ...options });
    await engine.events.subscribe('*', (event) => {
      checkEventContract(event);
      events.push(event);
    });
    engines.push(engine);
  }
  await engines[0]?.syncIndexes();
  const pick = (i: number) => engines[i % engines.length] as ReferralEngine;
  return { engines, events, pick, destroy: () => Promise.all(engines.map((e) => e.destroy())) };
};
