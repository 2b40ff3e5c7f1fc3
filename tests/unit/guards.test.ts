import { describe, expect, it } from 'vitest';
import {
  type GuardContext,
  type GuardInput,
  normalizeEmail,
  ownerIsRefereeGuard,
  referralLoopGuard,
  runGuards,
  sameEmailGuard,
} from '../../src/guards/index.js';

const input = (overrides: Partial<GuardInput> = {}): GuardInput => ({
  referrerRef: 'creator',
  referrerModel: 'user',
  refereeRef: 'buyer',
  refereeModel: 'user',
  sourceRef: 'o1',
  sourceModel: 'Order',
  code: 'ABCD2345',
  amount: null,
  currency: null,
  metadata: null,
  signals: {},
  ...overrides,
});
const context = (pairs: [string, string][] = []): GuardContext => ({
  ctx: undefined,
  hasReferral: async ({ referrerRef, refereeRef }) => pairs.some(([a, b]) => a === String(referrerRef) && b === String(refereeRef)),
});

describe('normalizeEmail', () => {
  it.each([
    ['John.Doe+promo@Gmail.com', 'johndoe@gmail.com'],
    ['j.o.h.n.d.o.e@googlemail.com', 'johndoe@gmail.com'],
    ['John.Doe+promo@Example.com', 'john.doe+promo@example.com'],
    ['  MIXED@Case.ORG ', 'mixed@case.org'],
    ['no-at-sign', null],
    ['+tag@gmail.com', null],
    // validator's normalizeEmail: Outlook, Hotmail, Live and iCloud +tags, Yahoo -tags; Fastmail and Proton +tags here.
    ['jdoe+x@outlook.com', 'jdoe@outlook.com'],
    ['JDoe+promo@Hotmail.com', 'jdoe@hotmail.com'],
    ['jdoe+x@icloud.com', 'jdoe@icloud.com'],
    ['jdoe-x@yahoo.com', 'jdoe@yahoo.com'],
    ['jdoe+x@fastmail.com', 'jdoe@fastmail.com'],
    ['jdoe+x@proton.me', 'jdoe@proton.me'],
  ])('%s -> %s', (email, expected) => {
    expect(normalizeEmail(email)).toBe(expected);
  });
});

describe('built-in guards', () => {
  it('sameEmailGuard flags one Gmail mailbox spelled two ways, and accepts without signals', async () => {
    const guard = sameEmailGuard();
    expect(await guard(input({ signals: { refereeEmail: 'ann.lee+deal@gmail.com', referrerEmail: 'AnnLee@googlemail.com' } }), context())).toMatchObject({
      outcome: 'flag',
      rule: 'same_email',
    });
    expect(await guard(input({ signals: { refereeEmail: 'ann@example.com', referrerEmail: 'bob@example.com' } }), context())).toMatchObject({
      outcome: 'accept',
    });
    expect(await guard(input(), context())).toMatchObject({ outcome: 'accept' });
    expect(await sameEmailGuard({ outcome: 'reject' })(input({ signals: { refereeEmail: 'x@y.io', referrerEmail: 'X@Y.io' } }), context())).toMatchObject({
      outcome: 'reject',
    });
  });

  it('referralLoopGuard rejects when the referee referred the referrer before', async () => {
    expect(await referralLoopGuard()(input(), context([['buyer', 'creator']]))).toMatchObject({ outcome: 'reject', rule: 'referral_loop' });
    expect(await referralLoopGuard()(input(), context([['creator', 'buyer']]))).toMatchObject({ outcome: 'accept' });
  });

  it('ownerIsRefereeGuard catches the owner buying through their own code', async () => {
    expect(await ownerIsRefereeGuard()(input({ refereeRef: 'creator' }), context())).toMatchObject({ outcome: 'reject', rule: 'owner_is_referee' });
  });
});

describe('runGuards', () => {
  it('keeps every decision; reject beats flag beats accept', async () => {
    const flag = () => ({ outcome: 'flag' as const, rule: 'f', reason: 'odd' });
    const reject = () => ({ outcome: 'reject' as const, rule: 'r' });
    const ok = () => ({ outcome: 'accept' as const, rule: 'a' });
    expect(await runGuards([], input(), context())).toBeNull();
    expect(await runGuards([ok], input(), context())).toMatchObject({ outcome: 'accept', flagged: false, rules: [] });
    expect(await runGuards([ok, flag], input(), context())).toMatchObject({ outcome: 'flag', flagged: true, rules: ['f'] });
    const verdict = await runGuards([flag, reject, ok], input(), context());
    expect(verdict).toMatchObject({ outcome: 'reject', rules: ['f', 'r'] });
    expect(verdict?.results).toHaveLength(3);
  });

  it('fails loudly on a guard that returns nonsense', async () => {
    await expect(runGuards([() => ({ outcome: 'maybe', rule: 'x' }) as never], input(), context())).rejects.toThrow(TypeError);
  });
});
