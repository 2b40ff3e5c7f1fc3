import { afterEach, expect } from 'vitest';
import { type DomainEvent, type ReferralEventName, referralEventDefinitionsByName } from '../../src/events/index.js';

/** Contract breaches seen by any test engine in the current test; checked after each test. */
const drift: string[] = [];

/**
 * Validates one emitted event against its definition: the type must be defined and the payload
 * must parse. Every event of every integration test goes through here (see createTestEngine).
 */
export const checkEventContract = (event: DomainEvent): void => {
  const definition = referralEventDefinitionsByName[event.type as ReferralEventName];
  if (!definition) {
    drift.push(`${event.type}: no definition`);
    return;
  }
  const result = definition.zodSchema.safeParse(event.payload);
  if (!result.success) drift.push(`${event.type}: ${result.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  if (!event.meta.idempotencyKey || !event.meta.id || !(event.meta.timestamp instanceof Date)) drift.push(`${event.type}: incomplete meta`);
};

/** Only for the contract's own test: takes the recorded breaches so afterEach sees none. */
export const drainDriftForSelfTest = (): string[] => drift.splice(0);

afterEach(() => {
  const seen = drift.splice(0);
  expect(seen, 'emitted events must match referralEventDefinitions').toEqual([]);
});
