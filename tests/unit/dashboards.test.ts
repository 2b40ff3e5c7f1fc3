import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { DAY_MS, splitWindow } from '../../src/stats/days.js';
import { rankReferrers } from '../../src/stats/leaderboard.js';
import type { SaleRow } from '../../src/stats/rollup.model.js';
import { countSales, currencyTotals, ofCode } from '../../src/stats/rows.js';

const at = (iso: string) => new Date(iso);
const row = (fields: Partial<SaleRow>): SaleRow => ({
  codeId: null,
  status: 'converted',
  currency: 'USD',
  sales: 1,
  qualifying: 1,
  gross: 100,
  reversed: 0,
  ...fields,
});

describe('splitWindow: whole UTC days from rollups, the ends from the records', () => {
  it('a window from one midday to another: the days between, and two ends', () => {
    expect(splitWindow({ from: at('2026-11-01T12:00:00Z'), to: at('2026-11-04T06:00:00Z') })).toEqual({
      days: { from: at('2026-11-02T00:00:00Z'), to: at('2026-11-04T00:00:00Z') },
      edges: [
        { from: at('2026-11-01T12:00:00Z'), to: at('2026-11-02T00:00:00Z') },
        { from: at('2026-11-04T00:00:00Z'), to: at('2026-11-04T06:00:00Z') },
      ],
    });
  });

  it('a window aligned to midnights has no ends; one inside a day has no whole day', () => {
    expect(splitWindow({ from: at('2026-11-01T00:00:00Z'), to: at('2026-11-03T00:00:00Z') })).toEqual({
      days: { from: at('2026-11-01T00:00:00Z'), to: at('2026-11-03T00:00:00Z') },
      edges: [],
    });
    const inside = { from: at('2026-11-01T01:00:00Z'), to: at('2026-11-01T23:00:00Z') };
    expect(splitWindow(inside)).toEqual({ days: null, edges: [inside] });
    const across = { from: at('2026-11-01T23:00:00Z'), to: at('2026-11-02T01:00:00Z') };
    expect(splitWindow(across)).toEqual({ days: null, edges: [across] });
  });

  it('covers every millisecond of the window exactly once', () => {
    for (const [from, to] of [
      [0, 3 * DAY_MS],
      [5, 5 * DAY_MS + 7],
      [DAY_MS - 1, DAY_MS + 1],
    ] as const) {
      const { days, edges } = splitWindow({ from: new Date(from), to: new Date(to) });
      const parts = [...(days ? [days] : []), ...edges].map((r) => [r.from.getTime(), r.to.getTime()] as const).sort((a, b) => a[0] - b[0]);
      expect(parts[0]?.[0]).toBe(from);
      expect(parts.at(-1)?.[1]).toBe(to);
      for (let i = 1; i < parts.length; i++) expect(parts[i]?.[0]).toBe(parts[i - 1]?.[1]);
    }
  });
});

describe('rows and their folds', () => {
  it('money per currency leaves rejected sales out and never sums currencies', () => {
    const rows = [
      row({ gross: 500, reversed: 100 }),
      row({ currency: 'EUR', gross: 300 }),
      row({ status: 'rejected', gross: 900 }),
      row({ currency: null, gross: 0 }),
    ];
    expect(currencyTotals(rows)).toEqual([
      { currency: 'EUR', sales: 1, gross: 300, reversed: 0, net: 300 },
      { currency: 'USD', sales: 1, gross: 500, reversed: 100, net: 400 },
    ]);
    expect(countSales(rows)).toBe(4);
    expect(countSales(rows, new Set(['rejected']))).toBe(1);
  });

  it('ofCode keeps one code’s rows', () => {
    const code = new Types.ObjectId();
    expect(ofCode([row({ codeId: code }), row({ codeId: new Types.ObjectId() }), row({})], new Types.ObjectId(code.toHexString()))).toHaveLength(1);
  });
});

describe('rankReferrers', () => {
  const [a, b] = [new Types.ObjectId('000000000000000000000001'), new Types.ObjectId('000000000000000000000002')];
  const rank = { statuses: new Set(['converted', 'approved']), currency: undefined, limit: 10 };

  it('adds a referrer’s parts (stored days and live ends), counts qualifying sales of the statuses, ties by ref', () => {
    const parts = [
      { referrerRef: b, referrerModel: 'user', sales: [row({ sales: 2, qualifying: 2 })] },
      { referrerRef: a, referrerModel: 'user', sales: [row({ sales: 1, qualifying: 1 }), row({ status: 'rejected', sales: 5, qualifying: 5 })] },
      { referrerRef: a, referrerModel: 'user', sales: [row({ sales: 3, qualifying: 1, gross: 100 })] },
      { referrerRef: 'zed', referrerModel: 'user', sales: [row({ sales: 4, qualifying: 0, gross: 0 })] },
    ];
    expect(rankReferrers(parts, rank).map((e) => [String(e.referrerRef), e.conversions])).toEqual([
      [a.toHexString(), 2],
      [b.toHexString(), 2],
    ]);
  });

  it('within a currency, ranks by net, then conversions, and reports the money', () => {
    const parts = [
      { referrerRef: a, referrerModel: 'user', sales: [row({ sales: 3, qualifying: 3, gross: 300, reversed: 250 }), row({ currency: 'EUR', gross: 9_999 })] },
      { referrerRef: b, referrerModel: 'user', sales: [row({ gross: 100 })] },
    ];
    expect(rankReferrers(parts, { ...rank, currency: 'USD' })).toEqual([
      { referrerRef: b, referrerModel: 'user', conversions: 1, amount: { currency: 'USD', sales: 1, gross: 100, reversed: 0, net: 100 } },
      { referrerRef: a, referrerModel: 'user', conversions: 3, amount: { currency: 'USD', sales: 3, gross: 300, reversed: 250, net: 50 } },
    ]);
    expect(rankReferrers(parts, { ...rank, limit: 1 })).toHaveLength(1);
  });
});
