import type { ClientSession } from 'mongoose';
import type { Types } from 'mongoose';

/**
 * Per-call context, structurally the same as the @classytic family's request context.
 * `session` is threaded into every MongoDB command so a host can enlist verbs in its transaction.
 */
export interface ReferralContext {
  actorId?: string | Types.ObjectId;
  organizationId?: string | Types.ObjectId;
  session?: ClientSession | null;
  correlationId?: string;
  idempotencyKey?: string;
}

/** Options object for driver calls: only carries `session` when the caller gave one. */
export const sessionOption = (ctx: ReferralContext | undefined): { session?: ClientSession } =>
  ctx?.session ? { session: ctx.session } : {};
