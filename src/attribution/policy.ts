import { configError } from '../kernel/errors.js';

/** How a sale without a code finds its referrer. */
export interface AttributionConfig {
  /** Which touch in the window wins. Defaults to `last_touch`. */
  model?: 'first_touch' | 'last_touch';
  /** Touches older than this many days do not count. Defaults to 30. */
  windowDays?: number;
  /** `lifetime`: a referee stays with the first referrer that converted them (first bind wins). Defaults to `per_sale`. */
  binding?: 'per_sale' | 'lifetime';
  /** Raw touches are deleted by a TTL index this many days after the visit. Defaults to `windowDays`. */
  touchTtlDays?: number;
  /**
   * Record and honour leads (who referred whom at signup): `attributeSignup`, lead-first sales,
   * direct-sale leads, `referral:lead.*`. Off by default: on, every sale also reads the referee's
   * lead (in parallel with the code lookup) and a referee's first sale writes their lead.
   */
  leads?: boolean;
  /** When a sale names another referrer's code than the referee's lead: `lead` (default) keeps the lead's referrer, `code` follows the code. */
  leadPolicy?: 'lead' | 'code';
  /** A lead attributes sales for this many days after signup; null (default) for ever. */
  leadWindowDays?: number | null;
}

export interface AttributionPolicy {
  model: 'first_touch' | 'last_touch';
  windowDays: number;
  binding: 'per_sale' | 'lifetime';
  touchTtlSeconds: number;
  leads: boolean;
  leadPolicy: 'lead' | 'code';
  leadWindowDays: number | null;
}

const DAY_MS = 86_400_000;

export const resolveAttributionPolicy = (config: AttributionConfig = {}): AttributionPolicy => {
  const model = config.model ?? 'last_touch';
  const binding = config.binding ?? 'per_sale';
  const windowDays = config.windowDays ?? 30;
  const touchTtlDays = config.touchTtlDays ?? windowDays;
  if (model !== 'first_touch' && model !== 'last_touch') throw configError('attribution.model', 'Must be "first_touch" or "last_touch"');
  if (binding !== 'per_sale' && binding !== 'lifetime') throw configError('attribution.binding', 'Must be "per_sale" or "lifetime"');
  if (!(windowDays > 0 && windowDays <= 3650)) throw configError('attribution.windowDays', 'Must be in (0, 3650]');
  if (!(touchTtlDays >= windowDays && touchTtlDays <= 3650)) throw configError('attribution.touchTtlDays', 'Must be at least windowDays and at most 3650');
  const leadPolicy = config.leadPolicy ?? 'lead';
  const leadWindowDays = config.leadWindowDays ?? null;
  if (leadPolicy !== 'lead' && leadPolicy !== 'code') throw configError('attribution.leadPolicy', 'Must be "lead" or "code"');
  if (leadWindowDays !== null && !(typeof leadWindowDays === 'number' && leadWindowDays > 0 && leadWindowDays <= 36_500))
    throw configError('attribution.leadWindowDays', 'Must be null or in (0, 36500]');
  return { model, windowDays, binding, touchTtlSeconds: Math.round(touchTtlDays * 86_400), leads: config.leads === true, leadPolicy, leadWindowDays };
};

/** Whether a lead signed up at `signedUpAt` still attributes a sale at `now`. */
export const leadInWindow = (policy: AttributionPolicy, signedUpAt: Date, now: Date): boolean =>
  policy.leadWindowDays === null || now.getTime() - signedUpAt.getTime() <= policy.leadWindowDays * DAY_MS;

/** The earliest touch that still counts for a sale at `now`. */
export const windowStart = (policy: AttributionPolicy, now: Date): Date => new Date(now.getTime() - policy.windowDays * DAY_MS);

/** Sort direction on `at` that puts the deciding touch first. */
export const touchOrder = (policy: AttributionPolicy): 1 | -1 => (policy.model === 'first_touch' ? 1 : -1);
