/** Rollups cover UTC days: a day is the time of its midnight, in ms. */
export const DAY_MS = 86_400_000;

export interface Range {
  from: Date;
  to: Date;
}

/** A range as a MongoDB filter on one date field. */
export const within = (range: Range) => ({ $gte: range.from, $lt: range.to });

/** [day, day + 1 day) as a range. */
export const dayRange = (day: number): Range => ({ from: new Date(day), to: new Date(day + DAY_MS) });

/**
 * [from, to) as the whole UTC days inside it, read from rollups, and the parts of days at its ends,
 * read from the records themselves: `days` is null when no whole day fits.
 */
export const splitWindow = (window: Range): { days: Range | null; edges: Range[] } => {
  const from = window.from.getTime();
  const to = window.to.getTime();
  const first = Math.ceil(from / DAY_MS) * DAY_MS;
  const end = Math.floor(to / DAY_MS) * DAY_MS;
  if (first >= end) return { days: null, edges: [window] };
  const edges: Range[] = [];
  if (from < first) edges.push({ from: window.from, to: new Date(first) });
  if (end < to) edges.push({ from: new Date(end), to: window.to });
  return { days: { from: new Date(first), to: new Date(end) }, edges };
};
