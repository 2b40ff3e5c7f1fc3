import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();
const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Alice's visits, signups and sales over three UTC days, and one of Bob's, as the chart's data. */
const seed = async () => {
  const test = await createTestEngine(db.connection, { attribution: { leads: true } });
  const ctx = newTenantContext();
  const [alice, bob] = [oid(), oid()];
  const { code: aliceCode } = await test.engine.repositories.referralCode.generateCode(alice, 'user', ctx);
  const { code: bobCode } = await test.engine.repositories.referralCode.generateCode(bob, 'user', ctx);
  const today = Math.floor(Date.now() / DAY) * DAY;
  const visit = (visitorId: string, at: number, code = aliceCode) => test.engine.trackVisit({ code, visitorId, at: new Date(Math.min(at, Date.now())) }, ctx);
  for (const [visitor, at] of [
    ['v1', today - 2 * DAY + HOUR],
    ['v1', today - 2 * DAY + 2 * HOUR],
    ['v2', today - 2 * DAY + 3 * HOUR],
    ['v1', today - DAY + HOUR],
  ] as const)
    await visit(visitor, at);
  await visit('v3', Date.now());
  await visit('v9', Date.now(), bobCode);
  const [f1, f2, f3] = [oid(), oid(), oid()];
  const signup = (refereeRef: unknown, at: number) =>
    test.engine.attributeSignup({ code: aliceCode, refereeRef: refereeRef as string, refereeModel: 'user', signedUpAt: new Date(at) }, ctx);
  await signup(f1, today - 2 * DAY + 4 * HOUR);
  await signup(f2, today - DAY + 2 * HOUR);
  await signup(f3, Date.now() - 1);
  const sale = (refereeRef: unknown, amount: number, currency: string) =>
    test.engine.attributeSale({ refereeRef: refereeRef as string, refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order', amount, currency }, ctx);
  const refunded = await sale(f1, 100, 'USD');
  await sale(f3, 50, 'EUR');
  await test.engine.attributeSale(
    { code: bobCode, refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order', amount: 7, currency: 'USD' },
    ctx,
  );
  await test.engine.repositories.referral.reverse(String(refunded?._id), { refundKey: 're_1', reason: 'refund', amount: 30, currency: 'USD' }, ctx);
  return { ...test, ctx, alice, bob, aliceCode, bobCode, today };
};

const zero = { visits: 0, uniqueVisitors: 0, leads: 0, sales: 0, amounts: [] };

describe('stats.timeseries', () => {
  it('per UTC day: visits, distinct visitors, leads, sales and money per currency, zero-filled; per referrer and per code alike', async () => {
    const { engine, ctx, alice, aliceCode, today } = await seed();
    const window = { from: new Date(today - 3 * DAY), to: new Date(today + DAY) };
    const series = await engine.stats.timeseries({ referrerRef: alice, ...window }, ctx);
    expect(series).toEqual({
      interval: 'day',
      timezone: 'UTC',
      buckets: [
        { start: new Date(today - 3 * DAY), ...zero },
        { start: new Date(today - 2 * DAY), ...zero, visits: 3, uniqueVisitors: 2, leads: 1 },
        { start: new Date(today - DAY), ...zero, visits: 1, uniqueVisitors: 1, leads: 1 },
        {
          start: new Date(today),
          visits: 1,
          uniqueVisitors: 1,
          leads: 1,
          sales: 2,
          amounts: [
            { currency: 'EUR', sales: 1, gross: 50, reversed: 0, net: 50 },
            { currency: 'USD', sales: 1, gross: 100, reversed: 30, net: 70 },
          ],
        },
      ],
    });
    expect(await engine.stats.timeseries({ code: aliceCode.toLowerCase(), ...window }, ctx)).toEqual(series);
  });

  it('its buckets add up to the funnel of the same window, in any zone and interval; a visitor seen on two days counts once per day', async () => {
    const { engine, ctx, alice, today } = await seed();
    const window = { from: new Date(today - 3 * DAY + 5 * HOUR), to: new Date(Date.now() + 1) };
    const funnel = await engine.stats.funnel({ referrerRef: alice, ...window }, ctx);
    for (const [interval, timezone] of [
      ['day', 'Asia/Kolkata'],
      ['week', 'Pacific/Chatham'],
      ['month', 'America/Los_Angeles'],
    ] as const) {
      const { buckets } = await engine.stats.timeseries({ referrerRef: alice, ...window, interval, timezone }, ctx);
      const sum = (pick: (b: (typeof buckets)[number]) => number) => buckets.reduce((n, b) => n + pick(b), 0);
      expect({ interval, leads: sum((b) => b.leads), sales: sum((b) => b.sales), visits: sum((b) => b.visits) }).toEqual({
        interval,
        leads: funnel.leads,
        sales: funnel.sales,
        visits: funnel.visits,
      });
      expect(buckets.map((b) => b.start.getTime())).toEqual([...buckets.map((b) => b.start.getTime())].sort((a, b) => a - b));
    }
    // The longest series there is (731 Kolkata days): every record is bucketed by the server from the same boundaries.
    const long = { from: new Date(today - 729 * DAY), to: new Date(today + DAY) };
    const twoYears = await engine.stats.timeseries({ referrerRef: alice, ...long, timezone: 'Asia/Kolkata' }, ctx);
    const longFunnel = await engine.stats.funnel({ referrerRef: alice, ...long }, ctx);
    expect(twoYears.buckets).toHaveLength(731);
    expect([twoYears.buckets.reduce((n, b) => n + b.sales, 0), twoYears.buckets.reduce((n, b) => n + b.leads, 0)]).toEqual([
      longFunnel.sales,
      longFunnel.leads,
    ]);
    const daily = await engine.stats.timeseries({ referrerRef: alice, ...window, timezone: 'UTC' }, ctx);
    expect(daily.buckets.reduce((n, b) => n + b.uniqueVisitors, 0)).toBe(funnel.uniqueVisitors + 1); // v1 came on two days
  });

  it('refuses what it cannot answer, naming the field', async () => {
    const { engine, ctx, alice, aliceCode, today } = await seed();
    const window = { from: new Date(today - DAY), to: new Date(today) };
    const refused = (input: Record<string, unknown>, field: string) =>
      expect(engine.stats.timeseries(input as never, ctx)).rejects.toMatchObject({ code: 'validation_failed', status: 422, field });
    await refused({ ...window, referrerRef: alice, timezone: 'Europe/Berln' }, 'input.timezone');
    await refused({ ...window, referrerRef: alice, interval: 'hour' }, 'input.interval');
    await refused({ ...window, referrerRef: alice, code: aliceCode }, 'input.referrerRef');
    await refused({ from: window.to, to: window.from, referrerRef: alice }, 'input.to');
    await refused({ from: new Date(today - 800 * DAY), to: new Date(today), referrerRef: alice }, 'input.to');
    await refused({ ...window, code: 'NOSUCH22' }, 'input.code');
    await expect(
      engine.stats.timeseries({ from: new Date(today - 800 * DAY), to: new Date(today), referrerRef: alice, interval: 'week' }, ctx),
    ).resolves.toMatchObject({
      interval: 'week',
    });
  });
});
