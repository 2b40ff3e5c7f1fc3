import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { describe, expect, inject, it } from 'vitest';
import { createReferral, type DomainEvent, type EventTransport, type ReferralRecord } from '../../src/index.js';
import { useTestDatabase } from '../harness/database.js';
import { newTenantContext } from '../harness/engine.js';
import { checkInvariants, createFaultCodes, drainAndRead, faultSeeds, hostCall, type SaleRun } from '../harness/fault-invariants.js';

const db = useTestDatabase();
const seeds = faultSeeds(9);
const stream = fileURLToPath(new URL('../harness/sale-stream.ts', import.meta.url));

/** Runs the sale stream in a child process and kills it with SIGKILL `delayMs` after its `answers`-th answer; returns every line it wrote. */
const killAfter = (env: Record<string, string>, answers: number, delayMs: number): Promise<Record<string, unknown>[]> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', stream], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: Record<string, unknown>[] = [];
    let buffered = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000); // bounded, whatever happens
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const complete = buffered.split('\n');
      buffered = complete.pop() ?? '';
      for (const line of complete) lines.push(JSON.parse(line) as Record<string, unknown>);
      if (lines.filter((line) => 'answer' in line).length >= answers) setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`the stream ended with ${signal ?? _code} instead of being killed`));
      else resolve(lines);
    });
  });

describe('the fault suite: a process killed with SIGKILL in the middle of a stream of sales, approvals and refunds', () => {
  it.each(seeds)('seed %i: a host retries what was unanswered, the relay drains, every invariant holds', async (seed) => {
    const prefix = `kill${seed}_`;
    const delivered: DomainEvent[] = [];
    const transport: EventTransport = { name: 'recording', publish: async (event) => void delivered.push(event) };
    const clean = await createReferral({ connection: await db.openConnection(), collectionPrefix: prefix, events: { transport } });
    await clean.syncIndexes();
    const ctx = newTenantContext();
    const codes = await createFaultCodes(clean, ctx);
    const rng = xoroshiro128plus(seed);
    const answers = uniformInt(rng, 3, 25);
    const delayMs = uniformInt(rng, 0, 15);
    const env = {
      MONGODB_URI: inject('mongoUri'),
      FAULT_DB: db.connection.name,
      FAULT_PREFIX: prefix,
      FAULT_CODES: JSON.stringify(codes),
      FAULT_TENANT: ctx.organizationId,
      FAULT_SEED: String(seed),
    };
    const lines = await killAfter(env, answers, delayMs);
    const sales = new Map<string, SaleRun>();
    for (const line of lines) {
      const attempt = line.attempt as { key: 'A' | 'B' | 'C'; input: SaleRun['input'] } | undefined;
      if (attempt) sales.set(String(attempt.input.sourceRef), { ...attempt, startedAfterDeactivation: false, answers: [] });
      const answer = line.answer as { sourceRef: string; id: string | null } | undefined;
      if (answer) sales.get(answer.sourceRef)?.answers.push(answer.id === null ? null : ({ _id: answer.id } as unknown as ReferralRecord));
      if (line.delivered) delivered.push(line.delivered as DomainEvent);
    }
    // The host's retry of every request the dead process never answered.
    const unanswered = [...sales.values()].filter((sale) => sale.answers.length === 0).length;
    for (const sale of sales.values()) {
      if (sale.answers.length > 0) continue;
      const retried = await hostCall(() => clean.attributeSale(sale.input, ctx));
      if ('value' in retried) sale.answers.push(retried.value ?? null);
    }
    const stored = await drainAndRead(clean);
    const { live, expected, idsByKey } = checkInvariants({ codes, sales: [...sales.values()], stored, delivered });
    console.log(
      `fault suite (SIGKILL) seed ${seed}: killed ${delayMs} ms after answer ${answers} (${lines.length} lines); sales ${sales.size}, stored ${live.length}; ` +
        `events expected ${expected.length}, delivered ${[...idsByKey.keys()].filter((key) => expected.includes(key)).length}, duplicated ${delivered.length - idsByKey.size}; unanswered and retried by the host ${unanswered}`,
    );
    expect(sales.size).toBeGreaterThanOrEqual(answers);
    await clean.destroy();
  });
});
