/**
 * A small checkout service wired to @classytic/referral. The tenant comes from the
 * `x-organization-id` header; every ReferralError maps to its HTTP status.
 */
import express, { type ErrorRequestHandler, type Request } from 'express';
import { isDatabaseUnavailable, isReferralError, type ReferralContext, type ReferralEngine } from '../../src/index.js';

const contextOf = (req: Request): ReferralContext => ({
  organizationId: req.header('x-organization-id') ?? undefined,
  actorId: req.header('x-user-id') ?? undefined,
  correlationId: req.header('x-request-id') ?? undefined,
});

const limitOf = (value: unknown): number | undefined => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined);

export const createCheckoutApp = (referral: ReferralEngine): express.Express => {
  const app = express();
  app.use(express.json({ limit: '32kb' }));

  // A creator asks for their shareable code (idempotent: 200 with the same code every time).
  app.post('/codes', async (req, res) => {
    const { ownerRef, ownerModel = 'user' } = req.body ?? {};
    const code = await referral.repositories.referralCode.generateCode(ownerRef, ownerModel, contextOf(req));
    res.json({ code: code.code, codeId: String(code._id) });
  });

  // Checkout: attribute the sale to whoever owns the code. Replays of the same order are safe.
  app.post('/checkout', async (req, res) => {
    const { code, buyerId, orderId, amount } = req.body ?? {};
    const attributed = await referral.attributeSale(
      { code, refereeRef: buyerId, refereeModel: 'user', sourceRef: orderId, sourceModel: 'Order', ...(amount === undefined ? {} : { metadata: { amount } }) },
      contextOf(req),
    );
    res.status(attributed ? 201 : 200).json({ referral: attributed });
  });

  app.post('/referrals/:id/approve', async (req, res) => {
    const { decidedBy, note } = req.body ?? {};
    res.json({ referral: await referral.repositories.referral.approve(req.params.id, { decidedBy, ...(note ? { note } : {}) }, contextOf(req)) });
  });

  app.post('/referrals/:id/reject', async (req, res) => {
    const { decidedBy, reason } = req.body ?? {};
    res.json({ referral: await referral.repositories.referral.reject(req.params.id, { decidedBy, reason }, contextOf(req)) });
  });

  app.get('/referrers/:id/referrals', async (req, res) => {
    const { status, after } = req.query;
    const limit = limitOf(req.query.limit);
    const page = await referral.repositories.referral.listForReferrer(
      req.params.id,
      { ...(typeof status === 'string' ? { status: status as 'converted' } : {}), ...(limit ? { limit } : {}), ...(typeof after === 'string' ? { after } : {}) },
      contextOf(req),
    );
    res.json(page);
  });

  const errors: ErrorRequestHandler = (error, _req, res, _next) => {
    if (isReferralError(error)) {
      res.status(error.status).json({ error: error.toJSON() });
      return;
    }
    if (isDatabaseUnavailable(error)) {
      res.status(503).set('Retry-After', '1').json({ error: { code: 'database_unavailable', message: 'Try again shortly' } });
      return;
    }
    if ((error as { type?: string }).type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: 'bad_json', message: 'Request body is not valid JSON' } });
      return;
    }
    console.error(error);
    res.status(500).json({ error: { code: 'internal', message: 'Internal error' } });
  };
  app.use(errors);
  return app;
};
