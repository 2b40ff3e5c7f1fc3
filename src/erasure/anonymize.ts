import { createHash, createHmac } from 'node:crypto';
import type { Ref } from '../kernel/ids.js';
import type { TenantFilter } from '../kernel/tenant.js';

/**
 * The one-way stand-in for an erased ref: stable per tenant and ref (so counts per person stay
 * meaningful), keyed by `erasure.secret` when the host sets one (recommended: ids are guessable).
 */
export const anonymizedRef = (secret: string | undefined, tenant: TenantFilter, ref: Ref): string => {
  const input = `${Object.values(tenant).map(String).join('/')}:${String(ref)}`;
  const digest = secret ? createHmac('sha256', secret).update(input) : createHash('sha256').update(input);
  return `erased:${digest.digest('hex').slice(0, 40)}`;
};
