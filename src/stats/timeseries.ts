import type { z } from 'zod';
import { ValidationError } from '../kernel/errors.js';
import type { CurrencyTotals } from '../money/totals.js';
import { type CallScope, readTogether } from '../store/scope.js';
import { rowsByBucket } from './bucketed-rows.js';
import { bucketBounds, bucketStarts, type Interval, MAX_BUCKETS } from './buckets.js';
import type { StatsDeps } from './deps.js';
import type { timeseriesInputSchema } from './inputs.js';
import type { SaleRow } from './rollup.model.js';
import { countSales, currencyTotals } from './rows.js';
import { subjectOf } from './subject.js';
import { visitsByBucket } from './visits.js';

/** One bucket of a time series: what came in between its start and the next bucket's (the first and last clipped to [from, to)). */
export interface TimeseriesBucket {
  /** The calendar start of the day, ISO week (Monday) or month in the series' time zone. */
  start: Date;
  visits: number;
  uniqueVisitors: number;
  /** Referees who signed up in the bucket. */
  leads: number;
  /** Sales recorded in the bucket, however they stand now (as `funnel` counts them). */
  sales: number;
  /** Money of those sales per currency (rejected ones aside): gross, reversed and net, in minor units. */
  amounts: CurrencyTotals[];
}

export interface Timeseries {
  interval: Interval;
  timezone: string;
  /** Every bucket of the window, in order, zero-filled. */
  buckets: TimeseriesBucket[];
}

/** The time series of one referrer or one code: visits, leads, sales and money per day, week or month. */
export const timeseriesFor = async (deps: StatsDeps, scope: CallScope, input: z.output<typeof timeseriesInputSchema>): Promise<Timeseries> => {
  const window = { from: input.from, to: input.to };
  const starts = bucketStarts(window, input.interval, input.timezone);
  if (!starts)
    throw new ValidationError([
      { field: 'input.to', message: `More than ${MAX_BUCKETS} ${input.interval} buckets: ask for a shorter window or a longer interval` },
    ]);
  const subject = await subjectOf(deps, scope, input);
  const bounds = bucketBounds(starts, window);
  const [visits, rows] = await readTogether(scope, [() => visitsByBucket(deps, scope, subject, bounds), () => rowsByBucket(deps, scope, subject, bounds)]);
  const sales = starts.map((): SaleRow[] => []);
  const leads = starts.map(() => 0);
  for (const row of rows.sales) sales[row.bucket ?? 0]?.push(row);
  for (const row of rows.leads) leads[row.bucket ?? 0] = (leads[row.bucket ?? 0] ?? 0) + row.leads;
  const buckets = starts.map(
    (start, index): TimeseriesBucket => ({
      start,
      visits: visits[index]?.visits ?? 0,
      uniqueVisitors: visits[index]?.uniqueVisitors ?? 0,
      leads: leads[index] ?? 0,
      sales: countSales(sales[index] ?? []),
      amounts: currencyTotals(sales[index] ?? []),
    }),
  );
  return { interval: input.interval, timezone: input.timezone, buckets };
};
