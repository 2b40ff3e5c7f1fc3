/**
 * A small checkout service wired to @classytic/referral. The tenant comes from the
 * `x-organization-id` header; every ReferralError maps to its HTTP status, with the request's
 * own field names; anything else is a JSON error too.
 */
import express, { type ErrorRequestHandler, type Request } from 'express';
import { isDatabaseUnavailable, isReferralError, type ReferralContext, type ReferralEngine, ValidationError } from '../../src/index.js';

const contextOf = (req: Request): ReferralContext => ({
  organizationId: req.header('x-organization-id') ?? undefined,
  actorId: req.header('x-user-id') ?? undefined,
  correlationId: req.header('x-request-id') ?? undefined,
});

/** The engine's names for what this API calls otherwise, so errors name the field the client sent. */
const HTTP_FIELDS: Record<string, string> = {
  'input.sourceRef': 'orderId',
  'input.refereeRef': 'buyerId',
  'input.code': 'code',
  'input.amount': 'amount',
  'input.currency': 'currency',
  'input.decidedBy': 'decidedBy',
  'input.reason': 'reason',
  'input.note': 'note',
  'options.limit': 'limit',
  'options.status': 'status',
  'options.after': 'after',
};

const renamed = (error: ValidationError) => {
  const issues = error.issues.map((issue) => ({ ...issue, field: HTTP_FIELDS[issue.field] ?? issue.field }));
  return { ...error.toJSON(), message: `Invalid ${issues[0]?.field}: ${issues[0]?.message}`, details: { issues } };
};

const invalid = (field: string, message: string) => new ValidationError([{ field, message }]);

/** `limit`, `status` and `after` once each; `limit` a whole number (the engine checks its range). */
const pageOptions = (query: Request['query']) => {
  for (const key of ['limit', 'status', 'after']) if (Array.isArray(query[key])) throw invalid(`options.${key}`, 'Give it once');
  const { limit, status, after } = query;
  if (limit !== undefined && !(typeof limit === 'string' && /^\d+$/.test(limit))) throw invalid('options.limit', 'Expected a whole number');
  return {
    ...(limit === undefined ? {} : { limit: Number(limit) }),
    ...(status === undefined ? {} : { status: status as 'converted' }),
    ...(after === undefined ? {} : { after: after as string }),
  };
};

const errors: ErrorRequestHandler = (error, _req, res, _next) => {
  if (error instanceof ValidationError) return void res.status(422).json({ error: renamed(error) });
  if (isReferralError(error)) return void res.status(error.status).json({ error: error.toJSON() });
  if (isDatabaseUnavailable(error))
    return void res
      .status(503)
      .set('Retry-After', '1')
      .json({ error: { code: 'database_unavailable', message: 'Try again shortly' } });
  const type = (error as { type?: string }).type;
  if (type === 'entity.too.large') return void res.status(413).json({ error: { code: 'payload_too_large', message: 'Request body is over 32 KB' } });
  if (type === 'entity.parse.failed') return void res.status(400).json({ error: { code: 'bad_json', message: 'Request body is not valid JSON' } });
  console.error(error);
  res.status(500).json({ error: { code: 'internal', message: 'Internal error' } });
};

export const createCheckoutApp = (referral: ReferralEngine): express.Express => {
  const app = express();
  app.use(express.json({ limit: '32kb' }));

  // A creator asks for their shareable code (idempotent: 200 with the same code every time).
  app.post('/codes', async (req, res) => {
    const { ownerRef, ownerModel = 'user' } = req.body ?? {};
    const code = await referral.repositories.referralCode.generateCode(ownerRef, ownerModel, contextOf(req));
    res.json({ code: code.code, codeId: String(code._id) });
  });

  // Checkout: 201 for a newly attributed sale, 200 for a replay of one (same body) or a sale nobody referred.
  // `amount` is in minor units (cents) with its ISO 4217 `currency`; the engine refuses floats and negatives.
  app.post('/checkout', async (req, res) => {
    const { code, buyerId, orderId, amount, currency } = req.body ?? {};
    const outcome = await referral.attributeSaleWithOutcome(
      { code, refereeRef: buyerId, refereeModel: 'user', sourceRef: orderId, sourceModel: 'Order', amount, currency },
      contextOf(req),
    );
    if (outcome && !outcome.created) res.set('Idempotent-Replayed', 'true');
    res.status(outcome?.created ? 201 : 200).json({ referral: outcome?.referral ?? null });
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
    res.json(await referral.repositories.referral.listForReferrer(req.params.id, pageOptions(req.query), contextOf(req)));
  });

  app.use((req, res) => void res.status(404).json({ error: { code: 'not_found', message: `No route ${req.method} ${req.path}` } }));
  app.use(errors);
  return app;
};
