import { cpuUsage } from 'node:process';
import { type Connection, Types } from 'mongoose';
import { createReferral } from '../src/index.js';
import { rawDriver } from './attribution.js';
import { round } from './stats.js';

export interface CpuRow {
  kind: 'new' | 'replay';
  calls: number;
  /** Client CPU (user + system) per call, in µs; the server runs in another process. */
  rawMicros: number;
  libraryMicros: number;
  libraryMinusRaw: number;
}

type Op = () => Promise<unknown>;

/** CPU of `calls` sequential calls, in µs per call. */
const cpuPerCall = async (calls: number, op: Op): Promise<number> => {
  const start = cpuUsage();
  for (let i = 0; i < calls; i++) await op();
  const used = cpuUsage(start);
  return (used.user + used.system) / calls;
};

/**
 * Client CPU per call of a default engine against the raw driver doing a sale its own way (read
 * the code, upsert), new sales and replays, in interleaved blocks after a warm-up; `process.cpuUsage`
 * counts this process only, so the server's work is left out.
 */
export const benchCpu = async (connection: Connection, options: { blocks: number; calls: number; warmUp: number }): Promise<CpuRow[]> => {
  const organizationId = new Types.ObjectId();
  const raw = await rawDriver(connection, organizationId);
  const engine = await createReferral({ connection, collectionPrefix: `bench_cpu_${Date.now()}_`, logger: null });
  await engine.syncIndexes();
  const ctx = { organizationId };
  const { code } = await engine.repositories.referralCode.generateCode(new Types.ObjectId(), 'user', ctx);
  const library = (sourceRef: Types.ObjectId, refereeRef: Types.ObjectId) =>
    engine.attributeSale({ code, refereeRef, refereeModel: 'user', sourceRef, sourceModel: 'Order', amount: 4999, currency: 'USD' }, ctx);
  const replayPairs = { raw: [new Types.ObjectId(), new Types.ObjectId()] as const, library: [new Types.ObjectId(), new Types.ObjectId()] as const };
  const ops: Record<'new' | 'replay', Record<'raw' | 'library', Op>> = {
    new: { raw: () => raw.attribute(new Types.ObjectId(), new Types.ObjectId()), library: () => library(new Types.ObjectId(), new Types.ObjectId()) },
    replay: { raw: () => raw.attribute(...replayPairs.raw), library: () => library(...replayPairs.library) },
  };
  for (const kind of ['new', 'replay'] as const)
    for (const side of ['raw', 'library'] as const) for (let i = 0; i < options.warmUp; i++) await ops[kind][side]();
  const rows: CpuRow[] = [];
  for (const kind of ['new', 'replay'] as const) {
    const totals = { raw: 0, library: 0 };
    for (let block = 0; block < options.blocks; block++) {
      const order = block % 2 === 0 ? (['raw', 'library'] as const) : (['library', 'raw'] as const);
      for (const side of order) totals[side] += await cpuPerCall(options.calls, ops[kind][side]);
    }
    const rawMicros = totals.raw / options.blocks;
    const libraryMicros = totals.library / options.blocks;
    rows.push({
      kind,
      calls: options.blocks * options.calls,
      rawMicros: round(rawMicros),
      libraryMicros: round(libraryMicros),
      libraryMinusRaw: round(libraryMicros - rawMicros),
    });
  }
  await engine.destroy();
  await raw.clear();
  return rows;
};
