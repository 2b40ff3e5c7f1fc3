export interface LatencySummary {
  ops: number;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

const round = (value: number, digits = 3): number => Number(value.toFixed(digits));

/** Runs `op(i)` for i in [0, ops) with `concurrency` workers; returns every call's latency in ms. */
export const sampleLatencies = async (ops: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<number[]> => {
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < ops) {
      const i = next++;
      const t0 = process.hrtime.bigint();
      await op(i);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return latencies;
};

/** The p-th percentile of unsorted samples. */
export const percentileOf = (samples: readonly number[], p: number): number =>
  percentile(
    [...samples].sort((a, b) => a - b),
    p,
  );

/** Runs `op(i)` for i in [0, ops) with `concurrency` workers; returns throughput and latency. */
export const measure = async (ops: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<LatencySummary> => {
  const started = process.hrtime.bigint();
  const latencies = (await sampleLatencies(ops, concurrency, op)).sort((a, b) => a - b);
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { ops, opsPerSecond: round((ops / elapsedMs) * 1000, 1), p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)) };
};

/** Prints rows as an aligned text table. */
export const printTable = (title: string, rows: readonly object[]): void => {
  console.log(`\n${title}`);
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0] as object);
  const cells = rows.map((row) => columns.map((c) => String((row as Record<string, unknown>)[c] ?? '')));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] as string).length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i] as number)).join('  ');
  console.log(line(columns));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of cells) console.log(line(row));
};

export { round };
