import type { Types } from 'mongoose';
import { expect } from 'vitest';
import type { DomainEvent, ReferralEngine, ReferralRecord } from '../../src/index.js';
import { isDatabaseUnavailable } from '../../src/index.js';
import { oid } from './engine.js';

/** The fault runs' codes: A uncapped (deactivated halfway), B and C capped. */
export const CAPS = { B: 3, C: 6 } as const;

/** Seeds for a fault run: FAULT_SEEDS="1,2" replays a failure; otherwise two new ones (`shift` keeps two suites' apart), printed. */
export const faultSeeds = (shift: number) => (process.env.FAULT_SEEDS ?? `${Date.now() % 100_000},${(Date.now() >> shift) % 100_000}`).split(',').map(Number);

/** The run's three codes, each with a new owner in the tenant of `ctx`. */
export const createFaultCodes = async (engine: ReferralEngine, ctx: { organizationId: string }): Promise<Record<'A' | 'B' | 'C', string>> => ({
  A: (await engine.repositories.referralCode.generateCode(oid(), 'user', ctx)).code,
  B: (await engine.repositories.referralCode.generateCode(oid(), 'user', ctx, { maxConversions: CAPS.B })).code,
  C: (await engine.repositories.referralCode.generateCode(oid(), 'user', ctx, { maxConversions: CAPS.C })).code,
});

/** Runs the relay until a pass finds nothing left to publish (bounded), then reads every stored referral raw. */
export const drainAndRead = async (engine: ReferralEngine): Promise<ReferralRecord[]> => {
  for (let pass = 0; pass < 20; pass++) {
    const report = await engine.events.redeliver(undefined, { olderThanMs: 0 });
    if (report.published === 0 && report.failed === 0) break;
  }
  return (await engine.models.Referral.collection.find({}).toArray()) as unknown as ReferralRecord[];
};

/** A host that retries a call while MongoDB is unreachable, as a checkout or a webhook handler would (bounded). */
export const hostCall = async <T>(call: () => Promise<T>) => {
  const faults: unknown[] = [];
  for (let attempt = 0; attempt < 15; attempt++) {
    try {
      return { value: await call(), faults };
    } catch (error) {
      if (!isDatabaseUnavailable(error)) return { error, faults };
      faults.push(error);
    }
  }
  return { gaveUp: true, faults };
};

/** One sale of a fault run: what was sent, through which code, whether after the deactivation, and every answer a caller got. */
export interface SaleRun {
  input: {
    code: string;
    refereeRef: Types.ObjectId | string;
    refereeModel: string;
    sourceRef: Types.ObjectId | string;
    sourceModel: string;
    amount: number;
    currency: string;
  };
  key: 'A' | 'B' | 'C';
  startedAfterDeactivation: boolean;
  answers: (ReferralRecord | null)[];
}

/** The invariants, checked on what is stored and what was delivered once the relay drained. */
export const checkInvariants = ({
  codes,
  sales,
  stored,
  delivered,
}: {
  codes: Record<'A' | 'B' | 'C', string>;
  sales: SaleRun[];
  stored: ReferralRecord[];
  delivered: DomainEvent[];
}) => {
  const live = stored.filter((referral) => referral.deletedAt === null);
  const liveBySource = new Map(live.map((referral) => [String(referral.sourceRef), referral]));
  const attempted = new Set(sales.map((sale) => String(sale.input.sourceRef)));
  // One live referral per source, only for sales attempted, and every sale a caller was told stood is the one stored.
  expect(live.length).toBe(liveBySource.size);
  expect(live.filter((referral) => !attempted.has(String(referral.sourceRef)))).toEqual([]);
  for (const sale of sales) {
    for (const answer of sale.answers.filter(Boolean) as ReferralRecord[])
      expect(String(liveBySource.get(String(sale.input.sourceRef))?._id)).toBe(String(answer._id));
  }
  // Caps exact: never over; and full whenever a sale was refused for want of a slot.
  for (const key of ['B', 'C'] as const) {
    const standing = live.filter((referral) => referral.code === codes[key]).length;
    expect(standing).toBeLessThanOrEqual(CAPS[key]);
    const refused = sales.some((sale) => sale.key === key && sale.answers.length > 0 && sale.answers.every((answer) => answer === null));
    if (refused) expect(standing).toBe(CAPS[key]);
  }
  // Nothing started after the deactivation returned stands through the deactivated code.
  expect(sales.filter((sale) => sale.key === 'A' && sale.startedAfterDeactivation && liveBySource.has(String(sale.input.sourceRef)))).toEqual([]);
  // Refunds never exceed the sale; nothing is left undecided or pending.
  expect(live.filter((referral) => (referral.reversedAmount ?? 0) > 100)).toEqual([]);
  expect(stored.filter((referral) => referral.unconfirmedAt || (referral as { pendingEventsAt?: Date }).pendingEventsAt)).toEqual([]);
  // Events: one id per idempotency key; every standing change delivered; none for a change that does not stand.
  const idsByKey = new Map<string, Set<string>>();
  for (const event of delivered)
    idsByKey.set(String(event.meta.idempotencyKey), (idsByKey.get(String(event.meta.idempotencyKey)) ?? new Set()).add(event.meta.id));
  expect([...idsByKey].filter(([, ids]) => ids.size > 1)).toEqual([]);
  const expected = live.flatMap((referral) => [
    `referral:${referral._id}:converted`,
    ...(referral.status === 'approved' ? [`referral:${referral._id}:approved`] : []),
    ...(referral.reversals ?? []).map((reversal) => `referral:${referral._id}:reversed:${reversal.refundKey}`),
  ]);
  expect(expected.filter((key) => !idsByKey.has(key))).toEqual([]);
  const liveIds = new Set(live.map((referral) => String(referral._id)));
  expect(delivered.filter((event) => event.meta.resource === 'referral' && !liveIds.has(String(event.meta.resourceId)))).toEqual([]);
  return { live, expected, idsByKey };
};
