import type { z } from 'zod';
import { ValidationError } from '../kernel/errors.js';
import type { CurrencyTotals } from '../money/totals.js';
import { type CallScope, readTogether } from '../store/scope.js';
import { bucketBounds, bucketIndexExpr, bucketOf, bucketStarts, type Interval, MAX_BUCKETS } from './buckets.js';
import { DAY_MS, type Range, splitWindow } from './days.js';
import type { StatsDeps } from './deps.js';
import type { timeseriesInputSchema } from './inputs.js';
import { referrerDayList } from './rolled-up.js';
import type { LeadRow, SaleRow } from './rollup.model.js';
import { type Bucketed, countSales, currencyTotals, ofCode } from './rows.js';
import { ownerOf, type Subject, subjectOf, subjectRecords } from './subject.js';
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

type Rows = { sales: Bucketed<SaleRow>[]; leads: Bucketed<LeadRow>[] };

/** Sorted, non-overlapping ranges with touching ones joined: fewer, longer index scans. */
const joined = (ranges: Range[]): Range[] => {
  const out: Range[] = [];
  for (const range of [...ranges].sort((a, b) => a.from.getTime() - b.from.getTime())) {
    const last = out.at(-1);
    if (last && last.to.getTime() >= range.from.getTime()) last.to = new Date(Math.max(last.to.getTime(), range.to.getTime()));
    else out.push({ ...range });
  }
  return out;
};

/** UTC days of `days` that a bucket boundary falls inside (days in a non-UTC zone): no one bucket holds their rollup. */
const cutDays = (bounds: readonly number[], days: Range): Set<number> => {
  const cut = new Set<number>();
  for (const at of bounds.slice(1, -1)) {
    const day = Math.floor(at / DAY_MS) * DAY_MS;
    if (at !== day && day >= days.from.getTime() && day < days.to.getTime()) cut.add(day);
  }
  return cut;
};

/**
 * The sales and leads of each bucket: rollups for every whole UTC day that lies in one bucket, the
 * records for the rest (the window's partial days, and days a boundary cuts), bucketed by the server.
 */
const bucketedRows = async (deps: StatsDeps, scope: CallScope, subject: Subject, bounds: readonly number[]): Promise<Rows> => {
  const window = { from: new Date(bounds[0] as number), to: new Date(bounds.at(-1) as number) };
  const { days, edges } = deps.rollups.covers(scope) ? splitWindow(window) : { days: null, edges: [window] };
  const rows: Rows = { sales: [], leads: [] };
  const fromRecords = [...edges];
  if (days) {
    const cut = cutDays(bounds, days);
    for (const day of cut) fromRecords.push({ from: new Date(day), to: new Date(day + DAY_MS) });
    const mine = <R extends { codeId: SaleRow['codeId'] }>(list: R[]) => (subject.by === 'code' ? ofCode(list, subject.codeId) : list);
    for (const rolled of await referrerDayList(deps, scope, ownerOf(subject), days)) {
      if (cut.has(rolled.day)) continue;
      const bucket = bucketOf(bounds, rolled.day);
      rows.sales.push(...mine(rolled.sales).map((row) => ({ ...row, bucket })));
      rows.leads.push(...mine(rolled.leads).map((row) => ({ ...row, bucket })));
    }
  }
  for (const range of joined(fromRecords)) {
    const records = await subjectRecords(deps, scope, subject, range, (field) => bucketIndexExpr(field, bounds, range));
    rows.sales.push(...records.sales);
    rows.leads.push(...records.leads);
  }
  return rows;
};

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
  const [visits, rows] = await readTogether(scope, [() => visitsByBucket(deps, scope, subject, bounds), () => bucketedRows(deps, scope, subject, bounds)]);
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
