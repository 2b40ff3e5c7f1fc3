import { configError } from '../kernel/errors.js';
import { isPlainObject } from '../kernel/input.js';
import type { CreateReferralOptions } from './options.js';

type Keys<T> = { readonly [K in keyof Required<T>]: true };

/** Every option `createReferral` reads, by group: the compiler keeps each list equal to the option types. */
const TOP = {
  connection: true,
  tenant: true,
  collectionPrefix: true,
  events: true,
  codes: true,
  review: true,
  guards: true,
  attribution: true,
  stats: true,
  erasure: true,
  logger: true,
  timeoutMS: true,
  autoIndex: true,
} as const satisfies Keys<CreateReferralOptions>;

const GROUPS = {
  events: {
    transport: true,
    onError: true,
    outbox: true,
    ackDelayMs: true,
    publishTimeoutMs: true,
    publishAfterWrite: true,
    maxDeliveryAttempts: true,
  } satisfies Keys<NonNullable<CreateReferralOptions['events']>>,
  codes: {
    length: true,
    alphabet: true,
    generate: true,
    maxAttempts: true,
    cache: true,
    deactivationFence: true,
    reservedWords: true,
  } satisfies Keys<NonNullable<CreateReferralOptions['codes']>>,
  review: { chain: true, holdDays: true } satisfies Keys<NonNullable<CreateReferralOptions['review']>>,
  stats: { graceMs: true } satisfies Keys<NonNullable<CreateReferralOptions['stats']>>,
  erasure: { secret: true } satisfies Keys<NonNullable<CreateReferralOptions['erasure']>>,
} as const;

const refuseUnknown = (given: Record<string, unknown>, known: object, path: string): void => {
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(known, key)) throw configError(`${path}${key}`, `Unknown option; the options here are ${Object.keys(known).join(', ')}`);
  }
};

/** A misspelled option (`tenat: false`) fails at construction instead of being ignored, as TypeScript would refuse it. */
export const assertKnownOptions = (options: object): void => {
  refuseUnknown(options as Record<string, unknown>, TOP, '');
  for (const [group, known] of Object.entries(GROUPS)) {
    const given = (options as Record<string, unknown>)[group];
    if (isPlainObject(given)) refuseUnknown(given, known, `${group}.`);
  }
};
