import { Types } from 'mongoose';

/**
 * A referral as the engine stores it, converted at `at`, for benches and tests that write many
 * directly; `changedAt` is the change stamp the engine's writes leave (none: a record from before stamps).
 */
export const storedReferral = (
  organizationId: Types.ObjectId,
  referrerRef: Types.ObjectId,
  at: Date,
  fields: { status?: string; amount?: number | null; currency?: string | null; changedAt?: Date } = {},
) => ({
  organizationId,
  codeId: null,
  code: null,
  referrerRef,
  referrerModel: 'user',
  refereeRef: new Types.ObjectId(),
  refereeModel: 'user',
  sourceRef: new Types.ObjectId(),
  sourceModel: 'Order',
  status: fields.status ?? 'converted',
  amount: fields.amount ?? null,
  currency: fields.currency ?? null,
  metadata: null,
  approvals: null,
  decisions: [],
  version: 0,
  convertedAt: at,
  decidedAt: null,
  deletedAt: null,
  createdAt: at,
  updatedAt: at,
  ...(fields.changedAt ? { changedAt: fields.changedAt } : {}),
});
