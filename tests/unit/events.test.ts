import { describe, expect, it } from 'vitest';
import { InProcessBus, matchesEventPattern, REFERRAL_EVENTS, referralEventDefinitions, referralEventDefinitionsByName, referralEventNames } from '../../src/events/index.js';
import type { DomainEvent } from '../../src/events/index.js';

const event = (type: string): DomainEvent => ({ type, payload: {}, meta: { id: '1', timestamp: new Date() } });

describe('matchesEventPattern', () => {
  it.each([
    ['*', 'referral:converted', true],
    ['referral:*', 'referral:code.created', true],
    ['referral:code.*', 'referral:code.created', true],
    ['referral:code.*', 'referral:converted', false],
    ['referral:converted', 'referral:converted', true],
    ['referral:converted', 'referral:approved', false],
    ['billing:*', 'referral:converted', false],
  ])('%s vs %s -> %s', (pattern, type, expected) => {
    expect(matchesEventPattern(pattern, type)).toBe(expected);
  });
});

describe('InProcessBus', () => {
  it('delivers by pattern, isolates a throwing handler and unsubscribes', async () => {
    const errors: unknown[] = [];
    const bus = new InProcessBus({ onHandlerError: (e) => void errors.push(e) });
    const seen: string[] = [];
    const off = await bus.subscribe('referral:*', (e) => void seen.push(e.type));
    await bus.subscribe('*', () => {
      throw new Error('boom');
    });
    await bus.publish(event('referral:converted'));
    off();
    await bus.publishMany([event('referral:approved')]);
    expect(seen).toEqual(['referral:converted']);
    expect(errors).toHaveLength(2);
  });
});

describe('referralEventDefinitions', () => {
  it('defines every emitted event with a JSON Schema', () => {
    expect(referralEventDefinitions.map((d) => d.name).sort()).toEqual([...referralEventNames].sort());
    for (const name of referralEventNames) {
      const definition = referralEventDefinitionsByName[name];
      expect(definition).toMatchObject({ name, version: 1 });
      expect(definition.description.length).toBeGreaterThan(10);
      expect(definition.schema).toMatchObject({ type: 'object' });
    }
  });

  it('create() validates the payload and fills the meta', () => {
    const created = referralEventDefinitionsByName[REFERRAL_EVENTS.codeCreated].create(
      { codeId: 'c1', code: 'ABCD2345', ownerRef: 'u1', ownerModel: 'user', createdAt: new Date().toISOString() },
      { organizationId: 'org' },
    );
    expect(created.meta).toMatchObject({ source: '@classytic/referral', schemaVersion: 1, organizationId: 'org' });
    expect(created.meta.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(() => referralEventDefinitionsByName[REFERRAL_EVENTS.codeCreated].create({ code: 'X' } as never)).toThrow();
  });
});
