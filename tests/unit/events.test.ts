import { describe, expect, it } from 'vitest';
import type { DomainEvent, EventMeta } from '../../src/events/index.js';
import {
  InProcessBus,
  matchesEventPattern,
  REFERRAL_EVENTS,
  referralEventDefinitions,
  referralEventDefinitionsByName,
  referralEventNames,
} from '../../src/events/index.js';
import { compactEvent, derivedMeta, type EventExpander } from '../../src/store/outbox/embedded-outbox.js';

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

describe('compact outbox entries', () => {
  const at = new Date('2026-11-25T08:00:00.000Z');
  const expander: EventExpander = {
    facts: { underReview: false },
    timestampField: 'convertedAt',
    rebuild: () => ({ payload: {}, subject: { resource: 'referral', resourceId: 'r1', change: 'converted' } }),
  };
  const converted = (payload: Record<string, unknown>, meta: Partial<EventMeta> = {}): DomainEvent => ({
    type: 'referral:converted',
    payload: { convertedAt: at.toISOString(), underReview: false, ...payload },
    meta: {
      id: 'e1',
      timestamp: at,
      source: '@classytic/referral',
      schemaVersion: 1,
      idempotencyKey: 'referral:r1:converted',
      resource: 'referral',
      resourceId: 'r1',
      organizationId: 'org1',
      ...meta,
    },
  });

  it('keeps only what the document cannot give back', () => {
    expect(compactEvent(converted({}), expander, 'org1')).toEqual({ type: 'referral:converted', meta: { id: 'e1' } });
    expect(compactEvent(converted({}, { userId: 'u1', correlationId: 'c1' }), expander, 'org1').meta).toEqual({ id: 'e1', userId: 'u1', correlationId: 'c1' });
  });

  it('keeps a fact that differs from its usual value, a timestamp the document does not hold and a tenant it does not match', () => {
    expect(compactEvent(converted({ underReview: true }), expander, 'org1').facts).toEqual({ underReview: true });
    const later = new Date(at.getTime() + 1);
    expect(compactEvent(converted({}, { timestamp: later }), expander, 'org1').meta).toEqual({ id: 'e1', timestamp: later });
    expect(compactEvent(converted({}), expander, 'org2').meta).toEqual({ id: 'e1', organizationId: 'org1' });
    expect(compactEvent(converted({}), expander, undefined).meta).toEqual({ id: 'e1', organizationId: 'org1' });
  });

  it('derives back only what was left out', () => {
    const document = { convertedAt: at, organizationId: 'org1' };
    expect(derivedMeta({ type: 'referral:converted', meta: { id: 'e1' } }, expander, document, 'organizationId')).toEqual({
      timestamp: at,
      organizationId: 'org1',
    });
    expect(derivedMeta({ type: 'referral:converted', meta: { id: 'e1', organizationId: 'x' } }, expander, document, 'organizationId')).toEqual({
      timestamp: at,
    });
    expect(derivedMeta({ type: 'referral:converted', meta: { id: 'e1' } }, expander, document, null)).toEqual({ timestamp: at });
  });
});
