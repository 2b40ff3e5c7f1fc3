/**
 * The flow every host needs first: a `?ref=CODE` link records a visit under a first-party visitor
 * cookie, and the signup that follows is attributed to whoever that visitor came through.
 */
import { randomUUID } from 'node:crypto';
import type { CookieOptions, Request, RequestHandler, Response } from 'express';
import { isReferralError, type ReferralContext, type ReferralEngine } from '../../src/index.js';

const VISITOR_COOKIE = 'rf_vid';
const YEAR_MS = 365 * 86_400_000;

/** First-party, not readable by scripts, sent on top-level navigations from other sites (a shared link) but not on their POSTs. */
export const cookieOptions = (req: Request, maxAge: number): CookieOptions => ({ httpOnly: true, sameSite: 'lax', secure: req.secure, maxAge, path: '/' });

const visitorOf = (req: Request, res: Response): string => {
  const known = req.cookies?.[VISITOR_COOKIE];
  if (typeof known === 'string' && /^[0-9a-f-]{36}$/.test(known)) return known;
  const visitorId = randomUUID();
  res.cookie(VISITOR_COOKIE, visitorId, cookieOptions(req, YEAR_MS));
  return visitorId;
};

/**
 * On a GET with `?ref=`: records the visit (an unknown or retired code records nothing) and
 * redirects to the same page without the parameter, so a reload or a shared URL does not count twice.
 */
export const trackReferralVisits =
  (referral: ReferralEngine, ctxOf: (req: Request) => ReferralContext): RequestHandler =>
  async (req, res, next) => {
    const ref = req.query.ref;
    if (req.method !== 'GET' || typeof ref !== 'string') return next();
    const visitorId = visitorOf(req, res);
    // A mistyped or hostile code is not the visitor's problem: the page loads either way; a failure of the engine is logged.
    await referral.trackVisit({ code: ref, visitorId }, ctxOf(req)).catch((error: unknown) => {
      if (!isReferralError(error) || error.status >= 500) console.error('trackVisit failed', error);
    });
    const url = new URL(req.originalUrl, 'http://local');
    url.searchParams.delete('ref');
    res.redirect(302, `${url.pathname}${url.search}`);
  };

/** At signup: the new user's referrer, from a code typed in the form or from the visits of this browser; null when nobody referred them. */
export const attributeSignup = async (referral: ReferralEngine, req: Request, userId: string, ctx: ReferralContext) => {
  const typed = typeof req.body?.code === 'string' && req.body.code.trim() !== '' ? req.body.code.trim() : undefined;
  const visitorId = req.cookies?.[VISITOR_COOKIE];
  if (!typed && typeof visitorId !== 'string') return null;
  const via = typed ? { code: typed } : { visitorId: visitorId as string };
  // A malformed code typed in the form does not block the signup: it is recorded without a referrer.
  return referral.attributeSignup({ ...via, refereeRef: userId, refereeModel: 'user' }, ctx).catch((error: unknown) => {
    if (isReferralError(error) && error.status < 500) return null;
    throw error;
  });
};
