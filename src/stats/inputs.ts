import { z } from 'zod';
import { codeSchema } from '../codes/inputs.js';
import { refSchema } from '../kernel/ids.js';
import { modelNameSchema } from '../kernel/input.js';
import { currencySchema } from '../money/schema.js';
import { REFERRAL_STATUSES } from '../referrals/status.js';
import { INTERVALS, isTimeZone } from './buckets.js';

export const leaderboardOptionsSchema = z
  .strictObject({
    from: z.coerce.date({ error: 'Expected a Date' }),
    to: z.coerce.date({ error: 'Expected a Date' }),
    limit: z.number().int().min(1).max(100).default(10),
    /** Which referrals count; by default those not rejected or reversed. */
    statuses: z.array(z.enum(REFERRAL_STATUSES)).min(1).default(['converted', 'approved']),
    /** Rank within this currency, by net amount then conversions; without it, by conversions alone. */
    currency: currencySchema.optional(),
  })
  .refine((o) => o.from < o.to, { path: ['to'], message: 'Must be after from' });

export type LeaderboardOptions = z.input<typeof leaderboardOptionsSchema>;

/** Whose dashboard and when: exactly one of `referrerRef` (with `referrerModel`) or `code`, over [from, to). */
const subjectWindow = {
  referrerRef: refSchema.optional(),
  referrerModel: modelNameSchema.default('user'),
  code: codeSchema.optional(),
  from: z.date({ error: 'Expected a valid Date' }),
  to: z.date({ error: 'Expected a valid Date' }),
};

type SubjectWindow = { referrerRef?: unknown; code?: unknown; from: Date; to: Date };

const refineSubjectWindow = <S extends z.ZodType<SubjectWindow>>(schema: S) =>
  schema
    .refine((input) => (input.referrerRef === undefined) !== (input.code === undefined), {
      path: ['referrerRef'],
      message: 'Give exactly one of referrerRef or code',
    })
    .refine((input) => input.from < input.to, { path: ['to'], message: 'Must be after from' });

export const funnelInputSchema = refineSubjectWindow(z.strictObject(subjectWindow));

export type FunnelInput = z.input<typeof funnelInputSchema>;

export const timeseriesInputSchema = refineSubjectWindow(
  z.strictObject({
    ...subjectWindow,
    interval: z.enum(INTERVALS).default('day'),
    /** Where calendar days begin: an IANA name (`Europe/Berlin`); UTC by default. */
    timezone: z.string().max(64).refine(isTimeZone, { message: 'Expected an IANA time zone name, such as Europe/Berlin or UTC' }).default('UTC'),
  }),
);

export type TimeseriesInput = z.input<typeof timeseriesInputSchema>;
