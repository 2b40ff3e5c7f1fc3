import { describe, expect, it } from 'vitest';
import { storedCodeRefusal } from '../../src/codes/slots.js';

describe('storedCodeRefusal (the deactivation fence decides on the stored code)', () => {
  const now = new Date('2026-11-25T10:00:00Z');
  it.each([
    ['a missing (deleted) code', null, 'code_deactivated'],
    ['an inactive code', { active: false }, 'code_deactivated'],
    ['an inactive code that also expired', { active: false, expiresAt: new Date('2026-01-01') }, 'code_deactivated'],
    ['a code expired at the call\u2019s clock', { active: true, expiresAt: now }, 'code_expired'],
    ['an active code without expiry', { active: true, expiresAt: null }, null],
    ['an active code expiring later', { active: true, expiresAt: new Date(now.getTime() + 1) }, null],
    ['an active capped code (the claim decides the cap)', { active: true, maxConversions: 3 }, null],
  ] as const)('%s', (_name, code, expected) => {
    expect(storedCodeRefusal(code, now)).toBe(expected);
  });
});
