import { describe, expect, it } from 'vitest';
import { CODE_PATTERN, createCodeGenerator, DEFAULT_CODE_ALPHABET, normalizeCode } from '../../src/codes/format.js';

describe('code alphabet', () => {
  it('has no look-alike characters', () => {
    for (const lookAlike of ['0', 'O', '1', 'I', 'L']) expect(DEFAULT_CODE_ALPHABET).not.toContain(lookAlike);
    expect(new Set(DEFAULT_CODE_ALPHABET).size).toBe(DEFAULT_CODE_ALPHABET.length);
  });
});

describe('createCodeGenerator', () => {
  it('makes 8-character codes from the default alphabet', () => {
    const generate = createCodeGenerator();
    for (let i = 0; i < 500; i++) {
      const code = generate();
      expect(code).toHaveLength(8);
      expect([...code].every((c) => DEFAULT_CODE_ALPHABET.includes(c))).toBe(true);
    }
  });

  it('uses every character of the alphabet (no truncated range)', () => {
    const generate = createCodeGenerator({ length: 64 });
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) for (const c of generate()) seen.add(c);
    expect(seen.size).toBe(DEFAULT_CODE_ALPHABET.length);
  });

  it('honours length and alphabet options', () => {
    expect(createCodeGenerator({ length: 12, alphabet: 'AB' })()).toMatch(/^[AB]{12}$/);
  });

  it('refuses unusable options', () => {
    const refusal = (option: string) => expect.objectContaining({ code: 'validation_failed', status: 422, field: option });
    expect(() => createCodeGenerator({ length: 2 })).toThrow(refusal('codes.length'));
    expect(() => createCodeGenerator({ length: 65 })).toThrow(refusal('codes.length'));
    expect(() => createCodeGenerator({ alphabet: 'AA' })).toThrow(refusal('codes.alphabet'));
    expect(() => createCodeGenerator({ alphabet: 'ab' })).toThrow(refusal('codes.alphabet'));
    expect(() => createCodeGenerator({ alphabet: 'A$' })).toThrow(refusal('codes.alphabet'));
  });
});

describe('normalizeCode', () => {
  it('trims and upper-cases', () => {
    expect(normalizeCode('  chris-22 ')).toBe('CHRIS-22');
    expect(CODE_PATTERN.test('CHRIS-22')).toBe(true);
  });
});

describe('look-alike folding', () => {
  it('folds O to 0 and I/L to 1, so every look-alike of a code has one folded key', async () => {
    const { foldLookAlikes } = await import('../../src/codes/format.js');
    expect(foldLookAlikes('LOLI-2')).toBe('1011-2');
    expect(foldLookAlikes('ABC234')).toBe('ABC234');
    expect(new Set(['BOLT', 'B0LT', 'BO1T', 'B01T', 'BOIT'].map(foldLookAlikes))).toEqual(new Set(['B01T']));
  });
});
