import type { Types } from 'mongoose';
import type { ApprovalChainInput } from '../approval/types.js';
import type { ReferralContext } from '../core/context.js';
import { ReferralError } from '../core/errors.js';
import type { ReferralDraft } from '../domain/referral-draft.js';
import { type ResolvedTenant, tenantScope } from '../core/tenant.js';
import type { EventPublisher } from '../events/publisher.js';
import type { ReferralModels } from '../models/register.js';
import type { FraudGuard } from '../guards/types.js';
import type { AttributionPolicy } from '../domain/attribution-policy.js';
import type { CodeCache } from './code-cache.js';

export interface ReviewConfig {
  /** Return a chain for referrals that need review, null for those a single decision settles. */
  chain?: (referral: ReferralDraft) => ApprovalChainInput | null | undefined;
}

export type { ReferralDraft };

export type TenantFilter = Record<string, Types.ObjectId | string>;

/** The state one engine shares with its repositories. */
export class EngineRuntime {
  destroyed = false;

  constructor(
    readonly tenant: ResolvedTenant,
    readonly models: ReferralModels,
    readonly publisher: EventPublisher,
    readonly codes: { generate: () => string; maxAttempts: number; cache: CodeCache | undefined; deactivationFence: boolean; reservedWords: ReadonlySet<string> },
    readonly review: ReviewConfig | undefined,
    readonly guards: readonly FraudGuard[],
    readonly erasureSecret: string | undefined,
    readonly attribution: AttributionPolicy,
  ) {}

  /** First step of every verb: refuses a destroyed engine and a missing tenant, before any I/O. */
  scope(ctx: ReferralContext | undefined): TenantFilter {
    if (this.destroyed) throw new ReferralError('engine_destroyed', 'This referral engine was destroyed', 409);
    return tenantScope(this.tenant, ctx);
  }
}
