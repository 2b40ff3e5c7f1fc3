/** The JSON the dashboard pages read and the manager's decisions, for one tenant. */
import { type Request, Router } from 'express';
import type { ReferralContext, ReferralEngine } from '../../src/index.js';

const DAY_MS = 86_400_000;
const INTERVALS = new Set(['day', 'week', 'month']);

/** The window a chart asks for: the last `days` days up to now, in whole buckets of its zone. */
const windowOf = (req: Request) => {
  const days = Math.min(Math.max(Number(req.query.days) || 30, 1), 365);
  return { from: new Date(Date.now() - days * DAY_MS), to: new Date(Date.now() + 1) };
};

export const dashboardApi = (referral: ReferralEngine, ctxOf: (req: Request) => ReferralContext, manager: string): Router => {
  const api = Router();

  // A creator's page: the time series, the funnel over the same window, and the friends who joined.
  api.get('/creators/:id/dashboard', async (req, res) => {
    const ctx = ctxOf(req);
    const referrerRef = req.params.id;
    const interval = INTERVALS.has(String(req.query.interval)) ? (String(req.query.interval) as 'day') : 'day';
    const timezone = typeof req.query.timezone === 'string' ? req.query.timezone : 'UTC';
    const window = windowOf(req);
    const [series, funnel, friends, code] = await Promise.all([
      referral.stats.timeseries({ referrerRef, ...window, interval, timezone }, ctx),
      referral.stats.funnel({ referrerRef, ...window }, ctx),
      referral.listLeadsForReferrer(referrerRef, { limit: 20 }, ctx),
      referral.repositories.referralCode.findForOwner(referrerRef, 'user', ctx),
    ]);
    // What a creator may see of a friend: not their id, their visitor cookie or how they were matched.
    const shown = friends.items.map((lead) => ({
      friend: `…${String(lead.refereeRef).slice(-6)}`,
      signedUpAt: lead.signedUpAt,
      bought: lead.firstConvertedAt !== null,
    }));
    res.json({ code: code?.code ?? null, series, funnel, friends: shown });
  });

  // The manager's queue: what a chain or a fraud flag holds, oldest first.
  api.get('/review-queue', async (req, res) => {
    res.json(await referral.repositories.referral.listAwaitingReview({ limit: 50 }, ctxOf(req)));
  });

  api.post('/referrals/:id/approve', async (req, res) => {
    res.json({ referral: await referral.repositories.referral.approve(req.params.id, { decidedBy: manager }, ctxOf(req)) });
  });

  api.post('/referrals/:id/reject', async (req, res) => {
    const reason = typeof req.body?.reason === 'string' && req.body.reason ? req.body.reason : 'Rejected from the review queue';
    res.json({ referral: await referral.repositories.referral.reject(req.params.id, { decidedBy: manager, reason }, ctxOf(req)) });
  });

  return api;
};
