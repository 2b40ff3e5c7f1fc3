import type { ClientSession, Types } from 'mongoose';

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
