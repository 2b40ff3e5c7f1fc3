import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardApp } from '../../examples/referral-dashboard/app.js';
import { createDashboardEngine, demoCreator, MANAGER } from '../../examples/referral-dashboard/engine.js';
import type { ReferralEngine } from '../../src/index.js';
import { useTestDatabase } from '../harness/database.js';
import { oid } from '../harness/engine.js';

const db = useTestDatabase();
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where the screenshots go (ignored by git): open them after `npm run test:browser`. */
const SHOTS = join(import.meta.dirname, '../../artifacts/browser');

// As this machine kind's probe starts it: no sandbox as root, and nothing that reaches for Google's hosts.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let browser: Browser;
let referral: ReferralEngine;
let base: string;
let close: () => Promise<void>;
const organizationId = oid().toHexString();
const creatorId = oid().toHexString();

beforeAll(async () => {
  expect(existsSync(CHROMIUM), `No Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`).toBe(true);
  referral = await createDashboardEngine(db.connection, 'web_');
  const app = createDashboardApp(referral, { organizationId, defaultCreator: creatorId, manager: MANAGER });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise((resolve) => server.close(() => resolve()));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await close?.();
  await referral?.destroy();
});

/** The creator's chart once drawn: its x values and series, as uPlot holds them. */
const chartData = (page: Page) => page.evaluate(() => (globalThis as unknown as { referralChart: { data: (number | null)[][] } }).referralChart.data);

describe('the referral dashboard example, in Chromium', () => {
  it('a visit, a signup and a sale show on the creator chart; the manager approves the sale from the queue', async () => {
    const { code } = await demoCreator(referral, organizationId, creatorId);
    const friend = await browser.newPage({ timezoneId: 'UTC' });

    // A friend follows the creator's link: the visit is recorded and the URL cleaned.
    await friend.goto(`${base}/?ref=${code}`);
    expect(new URL(friend.url()).search).toBe('');
    expect((await friend.context().cookies()).map((c) => c.name)).toContain('rf_vid');

    // Signs up (by keyboard), then buys: the sale is the creator's through the friend's lead.
    await friend.getByLabel('Email').fill('friend@example.test');
    await friend.getByLabel('Email').press('Enter');
    await friend.waitForURL(`${base}/shop`);
    await friend.getByRole('button', { name: /Buy Acme Pro/ }).click();
    await expect.poll(() => friend.getByRole('status').textContent()).toContain('the friend who referred you gets the credit');

    // The creator's dashboard: today's point has the visit, the signup and the sale.
    const creator = await browser.newPage({ timezoneId: 'UTC', viewport: { width: 1000, height: 1200 } });
    await creator.goto(`${base}/creator/${creatorId}`);
    await creator.waitForSelector('body[data-ready="true"]');
    const [xs, visits, signups, sales] = await chartData(creator);
    expect(xs).toHaveLength(31); // 30 days back to now, day by day, zero-filled
    expect([visits?.at(-1), signups?.at(-1), sales?.at(-1)]).toEqual([1, 1, 1]);
    expect([visits, signups, sales].map((series) => series?.slice(0, -1).every((n) => n === 0))).toEqual([true, true, true]);
    // Hovering today's point shows its values in the chart's legend.
    const box = await creator.locator('#chart .u-over').boundingBox();
    const x = await creator.evaluate(() => {
      const chart = (globalThis as unknown as { referralChart: { valToPos(v: number, scale: string): number; data: number[][] } }).referralChart;
      return chart.valToPos(chart.data[0]?.at(-1) as number, 'x');
    });
    await creator.mouse.move((box?.x ?? 0) + x - 1, (box?.y ?? 0) + 20, { steps: 4 });
    await expect.poll(() => creator.locator('.u-legend .u-value').allTextContents()).toEqual([expect.any(String), '1', '1', '1']);
    await expect.poll(() => creator.getByText('1 visit, 1 signup and 1 sale in this period.').count()).toBe(1);
    expect(await creator.locator('#funnel').textContent()).toContain('Signups who bought1');
    expect(await creator.locator('#friends tbody tr').allTextContents()).toEqual([expect.stringMatching(/^Friend …[0-9a-f]{6}.*bought$/)]);
    await creator.screenshot({ path: join(SHOTS, 'creator-dashboard.png'), fullPage: true });

    // The manager approves the sale: the row's status changes, the engine agrees, and it leaves the queue.
    const manager = await browser.newPage({ timezoneId: 'UTC' });
    await manager.goto(`${base}/manager`);
    await manager.waitForSelector('body[data-ready="true"]');
    const rows = manager.locator('#queue tbody tr');
    expect(await rows.count()).toBe(1);
    const referralId = (await rows.first().getAttribute('data-referral')) as string;
    expect(await rows.first().locator('[data-status]').textContent()).toBe('converted');
    await rows
      .first()
      .getByRole('button', { name: /^Approve/ })
      .click();
    await expect.poll(() => rows.first().locator('[data-status]').textContent()).toBe('approved');
    await expect.poll(() => manager.getByRole('status').textContent()).toContain('approved');
    await manager.screenshot({ path: join(SHOTS, 'review-queue.png'), fullPage: true });
    expect((await referral.repositories.referral.findById(referralId, { organizationId }))?.status).toBe('approved');
    await manager.reload();
    await manager.waitForSelector('body[data-ready="true"]');
    expect(await manager.locator('#queue tbody tr').count()).toBe(0);
    expect(await manager.locator('#empty').isVisible()).toBe(true);
  });

  it('an unknown or hostile ?ref= records nothing and still lands the visitor on a clean page; a malformed typed code does not block a signup', async () => {
    const window = { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 60_000) };
    const visits = async () => (await referral.stats.funnel({ referrerRef: creatorId, ...window }, { organizationId })).visits;
    const before = await visits();
    const page = await browser.newPage();
    for (const ref of ['NOSUCH22', '{"$ne":1}', 'x'.repeat(300)]) {
      const response = await page.goto(`${base}/shop?ref=${encodeURIComponent(ref)}`);
      expect(response?.status()).toBe(200);
      expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/shop');
    }
    expect(await visits()).toBe(before);
    // A malformed code typed at signup does not block the signup.
    await page.goto(`${base}/`);
    await page.getByLabel('Email').fill('typo@example.test');
    await page.getByLabel('Referral code (optional)').fill('{"$ne":1}');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL(`${base}/shop`);
    expect((await page.context().cookies()).map((c) => c.name).sort()).toEqual(['acme_uid', 'rf_vid']);
  });
});
