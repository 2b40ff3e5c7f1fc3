import { cpuUsage } from 'node:process';
import { type Connection, Types } from 'mongoose';
import { createReferral } from '../src/index.js';
import { rawDriver } from './attribution.js';
import { rawSameCommands } from './raw-same.js';
import { round } from './stats.js';

export interface CpuRow {
  kind: 'new' | 'replay';
  calls: number;
  /** Client CPU (user + system) per call, in µs; the server runs in another process. */
  rawMicros: number;
  /** The raw driver sending the library's own commands (bench/raw-same.ts). */
  rawSameMicros: number;
  libraryMicros: number;
  libraryMinusRaw: number;
  /** The library's own cost: what it spends beyond the same commands sent raw. */
  libraryMinusSame: number;
}

type Op = () => Promise<unknown>;
type Side = 'raw' | 'same' | 'library';
const SIDES: readonly Side[] = ['raw', 'same', 'library'];
const KINDS = ['new', 'replay'] as const;

/** CPU of `calls` sequential calls, in µs per call. */
const cpuPerCall = async (calls: number, op: Op): Promise<number> => {
  const start = cpuUsage();
  for (let i = 0; i < calls; i++) await op();
  const used = cpuUsage(start);
  return (used.user + used.system) / calls;
};

/**
 * Client CPU per call of a default engine against the raw driver doing a sale its own way (read
 * the code, upsert) and sending the library's own commands, new sales and replays, in interleaved
 * blocks after a warm-up; `process.cpuUsage` counts this process only, so the server's work is left out.
 */
export const benchCpu = async (connection: Connection, options: { blocks: number; calls: number; warmUp: number }): Promise<CpuRow[]> => {
  const organizationId = new Types.ObjectId();
  const raw = await rawDriver(connection, organizationId);
  const same = await rawSameCommands(connection, organizationId);
  const engine = await createReferral({ connection, collectionPrefix: `bench_cpu_${Date.now()}_`, logger: null });
  await engine.syncIndexes();
  const ctx = { organizationId };
  const { code } = await engine.repositories.referralCode.generateCode(new Types.ObjectId(), 'user', ctx);
  const library = (sourceRef: Types.ObjectId, refereeRef: Types.ObjectId) =>
    engine.attributeSale({ code, refereeRef, refereeModel: 'user', sourceRef, sourceModel: 'Order', amount: 4999, currency: 'USD' }, ctx);
  const pair = () => [new Types.ObjectId(), new Types.ObjectId()] as const;
  const replays = { raw: pair(), same: pair(), library: pair() };
  const fresh = (op: (a: Types.ObjectId, b: Types.ObjectId) => Promise<unknown>) => () => op(new Types.ObjectId(), new Types.ObjectId());
  const ops: Record<'new' | 'replay', Record<Side, Op>> = {
    new: { raw: fresh(raw.attribute), same: fresh(same.sale), library: fresh(library) },
    replay: { raw: () => raw.attribute(...replays.raw), same: () => same.sale(...replays.same), library: () => library(...replays.library) },
  };
  for (const kind of KINDS) for (const side of SIDES) for (let i = 0; i < options.warmUp; i++) await ops[kind][side]();
  const rows: CpuRow[] = [];
  for (const kind of KINDS) {
    const totals: Record<Side, number> = { raw: 0, same: 0, library: 0 };
    for (let block = 0; block < options.blocks; block++) {
      for (const side of block % 2 === 0 ? SIDES : [...SIDES].reverse()) totals[side] += await cpuPerCall(options.calls, ops[kind][side]);
    }
    const [rawMicros, rawSameMicros, libraryMicros] = SIDES.map((side) => totals[side] / options.blocks) as [number, number, number];
    rows.push({
      kind,
      calls: options.blocks * options.calls,
      rawMicros: round(rawMicros),
      rawSameMicros: round(rawSameMicros),
      libraryMicros: round(libraryMicros),
      libraryMinusRaw: round(libraryMicros - rawMicros),
      libraryMinusSame: round(libraryMicros - rawSameMicros),
    });
  }
  await engine.destroy();
  await raw.clear();
  await same.clear();
  return rows;
};
