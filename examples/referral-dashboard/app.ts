/**
 * A referral dashboard served by the host: a store that tracks `?ref=` links and attributes
 * signups and sales, a creator page (time series, funnel, friends) and a manager page (the
 * review queue). One tenant, `organizationId`; a real host takes it from the signed-in session.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import cookieParser from 'cookie-parser';
import express, { type ErrorRequestHandler } from 'express';
import { Types } from 'mongoose';
import { isReferralError, type ReferralContext, type ReferralEngine } from '../../src/index.js';
import { dashboardApi } from './api.js';
import { creatorPage, managerPage, shopPage, storePage } from './pages.js';
import { attributeSignup, cookieOptions, trackReferralVisits } from './tracking.js';

const USER_COOKIE = 'acme_uid';
const uplotDist = join(dirname(createRequire(import.meta.url).resolve('uplot')), '.');

export interface DashboardAppOptions {
  organizationId: string;
  /** Where `/creator/` without an id goes: the demo's creator. */
  defaultCreator: string;
  /** Who the manager page decides as (`decidedBy`); the engine's approval chain names them as an approver. */
  manager: string;
}

const errors: ErrorRequestHandler = (error, _req, res, _next) => {
  if (isReferralError(error)) return void res.status(error.status).json({ error: error.toJSON() });
  console.error(error);
  res.status(500).json({ error: { code: 'internal', message: 'Internal error' } });
};

export const createDashboardApp = (referral: ReferralEngine, options: DashboardAppOptions): express.Express => {
  const ctxOf = (): ReferralContext => ({ organizationId: options.organizationId });
  const app = express();
  app.use(cookieParser());
  app.use(express.urlencoded({ extended: false, limit: '8kb' }));
  app.use(express.json({ limit: '8kb' }));
  app.use('/static', express.static(join(import.meta.dirname, 'public')));
  app.use('/vendor', express.static(uplotDist)); // uPlot from node_modules: the pages work offline
  app.use(trackReferralVisits(referral, ctxOf));

  app.get('/', (_req, res) => void res.type('html').send(storePage()));

  app.post('/signup', async (req, res) => {
    const userId = new Types.ObjectId().toHexString(); // the host's new user
    await attributeSignup(referral, req, userId, ctxOf());
    res.cookie(USER_COOKIE, userId, cookieOptions(req, 30 * 86_400_000));
    res.redirect(303, '/shop');
  });

  app.get('/shop', (req, res) => void res.type('html').send(shopPage(typeof req.cookies?.[USER_COOKIE] === 'string', req.query.order)));

  // A first order needs no code: the engine finds the referrer through the buyer's lead.
  app.post('/checkout', async (req, res) => {
    const buyer = req.cookies?.[USER_COOKIE];
    if (typeof buyer !== 'string' || !Types.ObjectId.isValid(buyer)) return void res.redirect(303, '/');
    const sale = await referral.attributeSale(
      { refereeRef: buyer, refereeModel: 'user', sourceRef: `order_${randomUUID()}`, sourceModel: 'Order', amount: 4900, currency: 'USD' },
      ctxOf(),
    );
    res.redirect(303, `/shop?order=${sale ? 'referred' : 'direct'}`);
  });

  app.get('/creator/', (_req, res) => void res.redirect(302, `/creator/${options.defaultCreator}`));
  app.get('/creator/:id', (_req, res) => void res.type('html').send(creatorPage()));
  app.get('/manager', (_req, res) => void res.type('html').send(managerPage()));
  app.use('/api', dashboardApi(referral, ctxOf, options.manager));
  app.use(errors);
  return app;
};
