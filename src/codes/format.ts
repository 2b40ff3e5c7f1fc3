import { randomInt } from 'node:crypto';
import { configError } from '../kernel/errors.js';

/** No 0/O, 1/I/L: codes are read aloud, printed and typed from screenshots. */
export const DEFAULT_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const DEFAULT_CODE_LENGTH = 8;
export const MAX_CODE_LENGTH = 64;

/** Accepted code input after trimming: ASCII letters, digits, dash and underscore. */
export const CODE_PATTERN = /^[A-Za-z0-9_-]+$/;

/** Canonical stored form: trimmed and upper-cased. Validation happens in the zod schema. */
export const normalizeCode = (input: string): string => input.trim().toUpperCase();

export interface CodeGeneratorOptions {
  length?: number;
  alphabet?: string;
}

/** Uniform over the alphabet (crypto.randomInt rejects modulo bias). */
export const createCodeGenerator = (options: CodeGeneratorOptions = {}): (() => string) => {
  const alphabet = options.alphabet ?? DEFAULT_CODE_ALPHABET;
  const length = options.length ?? DEFAULT_CODE_LENGTH;
  if (!Number.isInteger(length) || length < 4 || length > MAX_CODE_LENGTH) {
    throw configError('codes.length', `Must be an integer from 4 to ${MAX_CODE_LENGTH}`);
  }
  if (new Set(alphabet).size !== alphabet.length || alphabet.length < 2 || !CODE_PATTERN.test(alphabet) || alphabet !== alphabet.toUpperCase()) {
    throw configError('codes.alphabet', 'Must be at least 2 distinct upper-case letters, digits, "-" or "_"');
  }
  return () => {
    let code = '';
    for (let i = 0; i < length; i++) code += alphabet[randomInt(alphabet.length)];
    return code;
  };
};

/** Typed look-alikes folded onto the digits they are mistaken for (O->0, I/L->1). */
export const foldLookAlikes = (code: string): string => code.replace(/O/g, '0').replace(/[IL]/g, '1');

/** Vanity codes: 3-32 letters, digits and dashes, compared case-insensitively. */
export const VANITY_PATTERN = /^[A-Za-z0-9-]{3,32}$/;

export const DEFAULT_RESERVED_WORDS: readonly string[] = ['ADMIN', 'API', 'HELP', 'NULL', 'ROOT', 'STAFF', 'SUPPORT', 'SYSTEM', 'TEST', 'UNDEFINED'];
