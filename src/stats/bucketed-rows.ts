import type { CallScope } from '../store/scope.js';
import { bucketIndexExpr, bucketOf } from './buckets.js';
import { DAY_MS, type Range, splitWindow } from './days.js';
import type { StatsDeps } from './deps.js';
import { referrerDayList } from './rolled-up.js';
import type { LeadRow, SaleRow } from './rollup.model.js';
import { type Bucketed, ofCode } from './rows.js';
import { ownerOf, type Subject, subjectRecords } from './subject.js';

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
 * The sales and leads of each bucket of `bounds` (a funnel is the one-bucket case): rollups for every
 * whole UTC day that lies in one bucket, the records for the rest (the window's partial days, and
 * days a boundary cuts), bucketed by the server.
 */
export const rowsByBucket = async (deps: StatsDeps, scope: CallScope, subject: Subject, bounds: readonly number[]): Promise<Rows> => {
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
