import { refEquals } from '../kernel/ids.js';
import { normalizeEmail } from './email.js';
import type { FraudGuard, GuardOutcome } from './types.js';

const accept = (rule: string) => ({ outcome: 'accept' as const, rule });

/** The code owner is the referee. The engine always refuses this itself; here for custom pipelines. */
export const ownerIsRefereeGuard =
  ({ outcome = 'reject' }: { outcome?: Exclude<GuardOutcome, 'accept'> } = {}): FraudGuard =>
  (input) =>
    input.referrerModel === input.refereeModel && refEquals(input.referrerRef, input.refereeRef)
      ? { outcome, rule: 'owner_is_referee', reason: 'The code owner is the referee' }
      : accept('owner_is_referee');

/** Referrer and referee share a mailbox (see `normalizeEmail`: Gmail, Outlook, iCloud, Yahoo, Fastmail aliases). Needs `signals`. */
export const sameEmailGuard =
  ({ outcome = 'flag', gmailStyleDomains }: { outcome?: Exclude<GuardOutcome, 'accept'>; gmailStyleDomains?: readonly string[] } = {}): FraudGuard =>
  ({ signals }) => {
    const referee = signals.refereeEmail ? normalizeEmail(signals.refereeEmail, gmailStyleDomains) : null;
    const referrer = signals.referrerEmail ? normalizeEmail(signals.referrerEmail, gmailStyleDomains) : null;
    return referee && referee === referrer ? { outcome, rule: 'same_email', reason: 'Referrer and referee share a mailbox' } : accept('same_email');
  };

/** A referred B, and B's code is now used for A. */
export const referralLoopGuard =
  ({ outcome = 'reject' }: { outcome?: Exclude<GuardOutcome, 'accept'> } = {}): FraudGuard =>
  async (input, context) =>
    (await context.hasReferral({ referrerRef: input.refereeRef, refereeRef: input.referrerRef }))
      ? { outcome, rule: 'referral_loop', reason: 'The referee referred this referrer before' }
      : accept('referral_loop');
