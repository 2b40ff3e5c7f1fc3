import mongoose from 'mongoose';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createReferral, type DomainEvent, type EventTransport, isDatabaseUnavailable, isReferralError, type ReferralRecord } from '../../src/index.js';
import { useTestDatabase } from '../harness/database.js';
import { newTenantContext, oid } from '../harness/engine.js';
import { checkInvariants, createFaultCodes, drainAndRead, faultSeeds, hostCall, type SaleRun } from '../harness/fault-invariants.js';
import { startFaultProxyFor } from '../harness/fault-proxy.js';

const db = useTestDatabase();
let proxy: Awaited<ReturnType<typeof startFaultProxyFor>>;
beforeAll(async () => {
  proxy = await startFaultProxyFor(inject('mongoUri'));
});
afterAll(async () => proxy.close());

const seeds = faultSeeds(7);
const OPERATIONS = 120;
const CUTS_PER_THOUSAND = 80;

const runStream = async (seed: number) => {
  const prefix = `fault${seed}_`;
  const delivered: DomainEvent[] = [];
  const transport: EventTransport = { name: 'recording', publish: async (event) => void delivered.push(event) };
  const faulty = await mongoose
    .createConnection(proxy.uri, { dbName: db.connection.name, autoIndex: false, autoCreate: false, serverSelectionTimeoutMS: 3_000 })
    .asPromise();
  const engine = await createReferral({ connection: faulty, collectionPrefix: prefix, events: { transport } });
  const clean = await createReferral({ connection: await db.openConnection(), collectionPrefix: prefix, events: { transport } });
  await clean.syncIndexes();
  const ctx = newTenantContext();
  const codes = await createFaultCodes(clean, ctx);
  const rng = xoroshiro128plus(seed);
  const sales: SaleRun[] = [];
  const finalErrors: unknown[] = [];
  /** Decisions and refunds a caller was told succeeded: the referral's id, and the refund's key. */
  const approvedIds = new Set<string>();
  const refunds: { id: string; refundKey: string }[] = [];
  const faults: unknown[] = [];
  let deactivated = false;
  let calls = 0;
  const record = (outcome: { value?: unknown; error?: unknown; faults: unknown[] }) => {
    calls++;
    faults.push(...outcome.faults);
    if ('error' in outcome && outcome.error !== undefined) finalErrors.push(outcome.error);
    return outcome.value;
  };
  const cutsBefore = { ...proxy.cuts };
  proxy.randomCuts(seed, CUTS_PER_THOUSAND);
  for (let op = 0; op < OPERATIONS; op++) {
    if (op === OPERATIONS / 2) {
      record(await hostCall(() => engine.repositories.referralCode.deactivate(codes.A, ctx)));
      deactivated = true; // whatever the call answered, it returned: later sales through A must not stand
    }
    const roll = uniformInt(rng, 0, 99);
    const known = sales.filter((sale) => sale.answers.some(Boolean));
    if (roll < 55 || known.length === 0) {
      const key = (['A', 'B', 'C'] as const)[uniformInt(rng, 0, 2)] as 'A' | 'B' | 'C';
      const input = { code: codes[key], refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order', amount: 100, currency: 'USD' };
      const sale: SaleRun = { input, key, startedAfterDeactivation: deactivated, answers: [] };
      sales.push(sale);
      const answer = record(await hostCall(() => engine.attributeSale(input, ctx)));
      if (answer !== undefined) sale.answers.push(answer as ReferralRecord | null);
    } else if (roll < 70) {
      const sale = sales[uniformInt(rng, 0, sales.length - 1)] as SaleRun;
      const answer = record(await hostCall(() => engine.attributeSale(sale.input, ctx)));
      if (answer !== undefined) sale.answers.push(answer as ReferralRecord | null);
    } else {
      const referral = (known[uniformInt(rng, 0, known.length - 1)] as SaleRun).answers.find(Boolean) as ReferralRecord;
      const id = String(referral._id);
      if (roll < 85) {
        const approved = record(
          await hostCall(() => engine.repositories.referral.approve(id, { decidedBy: 'mgr' }, { ...ctx, idempotencyKey: `approve-${id}` })),
        );
        if (approved) approvedIds.add(id);
      } else {
        const refundKey = `refund-${op}`;
        const amount = uniformInt(rng, 10, 40);
        const refunded = record(
          await hostCall(() =>
            engine.repositories.referral.reverse(id, { refundKey, reason: 'refund', amount, currency: 'USD' }, { ...ctx, idempotencyKey: refundKey }),
          ),
        );
        if (refunded) refunds.push({ id, refundKey });
      }
    }
  }
  proxy.stopCuts();
  const cuts = { before: proxy.cuts.before - cutsBefore.before, after: proxy.cuts.after - cutsBefore.after, mid: proxy.cuts.mid - cutsBefore.mid };
  const stored = await drainAndRead(clean);
  await engine.destroy();
  await clean.destroy();
  await faulty.close();
  return { codes, sales, stored, delivered, finalErrors, faults, calls, cuts, approvedIds, refunds };
};

describe('the fault suite: random cuts before, after and in the middle of replies', () => {
  it.each(seeds)('seed %i: every invariant holds once the relay has drained', async (seed) => {
    const { codes, sales, stored, delivered, finalErrors, faults, calls, cuts, approvedIds, refunds } = await runStream(seed);
    expect(faults.every(isDatabaseUnavailable)).toBe(true);
    expect(finalErrors.filter((error) => !isReferralError(error))).toEqual([]);
    const { live, expected, idsByKey } = checkInvariants({ codes, sales, stored, delivered });
    // Every approval and refund a caller was told succeeded is stored, each refund exactly once.
    const byId = new Map(live.map((referral) => [String(referral._id), referral]));
    expect([...approvedIds].filter((id) => !['approved', 'reversed'].includes(String(byId.get(id)?.status)))).toEqual([]);
    expect(refunds.filter(({ id, refundKey }) => (byId.get(id)?.reversals ?? []).filter((reversal) => reversal.refundKey === refundKey).length !== 1)).toEqual(
      [],
    );
    const confirmed = sales.filter((sale) => sale.answers.some(Boolean)).length;
    console.log(
      `fault suite seed ${seed}: calls ${calls} (sales ${sales.length}, confirmed ${confirmed}, stored ${live.length}); ` +
        `events expected ${expected.length}, delivered ${[...idsByKey.keys()].filter((key) => expected.includes(key)).length}, duplicated ${delivered.length - idsByKey.size}; ` +
        `cuts before ${cuts.before}, after ${cuts.after}, mid-reply ${cuts.mid}; connection faults seen by callers ${faults.length}`,
    );
  });
});
