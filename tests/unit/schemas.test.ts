import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/kernel/errors.js';
import {
  approveInputSchema,
  attributeSaleInputSchema,
  codeSchema,
  inspectMetadata,
  listForReferrerOptionsSchema,
  metadataSchema,
  parseInput,
  recordConversionInputSchema,
  refSchema,
} from '../../src/schemas.js';

const sale = { code: 'abcd2345', refereeRef: 'user_1', refereeModel: 'user', sourceRef: new Types.ObjectId(), sourceModel: 'Order' };

const failure = (fn: () => unknown): ValidationError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
};

describe('codeSchema', () => {
  it('normalizes a typed code', () => {
    expect(parseInput(codeSchema, '  abcd-2345 ')).toBe('ABCD-2345');
  });

  it.each([
    ['empty', ''],
    ['whitespace only', '   '],
    ['longer than 64', 'A'.repeat(65)],
    ['control character', 'ABC\u0007D'],
    ['NUL byte', 'ABC\u0000D'],
    ['Cyrillic look-alike', 'АBCD2345'],
    ['operator object', { $gt: '' }],
  ])('refuses %s', (_name, value) => {
    const error = failure(() => parseInput(codeSchema, value, 'code'));
    expect(error).toMatchObject({ code: 'validation_failed', status: 422, field: 'code' });
  });
});

describe('refSchema', () => {
  it('turns 24-hex strings into ObjectIds and keeps other strings', () => {
    const hex = new Types.ObjectId().toHexString();
    expect(parseInput(refSchema, hex)).toBeInstanceOf(Types.ObjectId);
    expect(parseInput(refSchema, 'cus_123')).toBe('cus_123');
  });

  it('refuses operators, empty strings and control characters', () => {
    for (const bad of [{ $ne: null }, '', '  ', 'a\u0000b', 42]) expect(() => parseInput(refSchema, bad)).toThrow(ValidationError);
  });
});

describe('attributeSaleInputSchema', () => {
  it('accepts a checkout call', () => {
    const parsed = parseInput(attributeSaleInputSchema, sale);
    expect(parsed.code).toBe('ABCD2345');
  });

  it('names the missing field', () => {
    const { sourceModel: _omitted, ...rest } = sale;
    expect(failure(() => parseInput(attributeSaleInputSchema, rest, 'input')).field).toBe('input.sourceModel');
  });

  it('refuses unknown keys such as a smuggled tenant field', () => {
    expect(failure(() => parseInput(attributeSaleInputSchema, { ...sale, organizationId: 'x' }, 'input')).code).toBe('validation_failed');
  });
});

describe('recordConversionInputSchema', () => {
  it('needs referrerModel with referrerRef', () => {
    const { code: _code, ...rest } = sale;
    expect(failure(() => parseInput(recordConversionInputSchema, { ...rest, referrerRef: 'u1' }, 'input')).field).toBe('input.referrerModel');
    expect(parseInput(recordConversionInputSchema, { ...rest, referrerRef: 'u1', referrerModel: 'user' }).referrerRef).toBe('u1');
  });
});

describe('metadata', () => {
  it('accepts plain data', () => {
    expect(parseInput(metadataSchema, { amount: 10, tags: ['a'], at: new Date(), nested: { ok: true, none: null } })).toMatchObject({ amount: 10 });
  });

  it.each([
    ['an operator key', { $where: 'sleep(100)' }, 'metadata.$where'],
    ['a dotted key', { 'a.b': 1 }, 'metadata.a.b'],
    ['a nested operator key', { deep: { $gt: 1 } }, 'metadata.deep.$gt'],
    ['__proto__', JSON.parse('{"__proto__": {"polluted": true}}'), 'metadata.__proto__'],
    ['constructor', { constructor: { prototype: {} } }, 'metadata.constructor'],
    ['a NUL byte', { note: 'a\u0000b' }, 'metadata.note'],
    ['a function', { fn: () => 1 }, 'metadata.fn'],
  ])('refuses %s', (_name, value, field) => {
    expect(failure(() => parseInput(metadataSchema, value, 'metadata')).field).toBe(field);
  });

  it('refuses more than 16 KB', () => {
    expect(failure(() => parseInput(metadataSchema, { blob: 'x'.repeat(17 * 1024) }, 'metadata')).message).toContain('16384');
  });

  it('refuses non-objects', () => {
    expect(() => parseInput(metadataSchema, ['a'])).toThrow(ValidationError);
    expect(() => parseInput(metadataSchema, 'text')).toThrow(ValidationError);
  });

  it('reports every offending path', () => {
    expect(inspectMetadata({ $a: 1, ok: 1, b: { 'c.d': 2 } }).map((i) => i.path.join('.'))).toEqual(['$a', 'b.c.d']);
  });
});

describe('review and listing inputs', () => {
  it('approve needs decidedBy; note is bounded', () => {
    expect(() => parseInput(approveInputSchema, {})).toThrow(ValidationError);
    expect(() => parseInput(approveInputSchema, { decidedBy: 'm1', note: 'x'.repeat(2001) })).toThrow(ValidationError);
  });

  it('listing defaults to 20 and caps at 100', () => {
    expect(parseInput(listForReferrerOptionsSchema, {}).limit).toBe(20);
    expect(() => parseInput(listForReferrerOptionsSchema, { limit: 101 })).toThrow(ValidationError);
  });
});
