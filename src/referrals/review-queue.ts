import type { mongo } from 'mongoose';
import { z } from 'zod';
import { approvalIdSchema } from '../approval/schema.js';
import { findAll } from '../kernel/cursor.js';
import { canonicalId, refSchema } from '../kernel/ids.js';
import { decodeCursor, encodeCursor, type Page } from '../store/keyset-page.js';
import type { CallScope } from '../store/scope.js';
import type { ReferralDeps } from './deps.js';
import { MAX_PAGE_SIZE } from './inputs.js';
import type { ReferralRecord } from './model.js';

export const reviewQueueOptionsSchema = z.strictObject({
  /** Only flagged referrals (true) or only those a chain holds unflagged (false). */
  flagged: z.boolean().optional(),
  /** Only those whose active step has this id. */
  step: approvalIdSchema.optional(),
  /** Only those an active step lists this approver on. */
  approver: refSchema.optional(),
  /** Only those converted before this instant (older than an age). */
  convertedBefore: z.date({ error: 'Expected a valid Date' }).optional(),
  limit: z.number().int().min(1).max(MAX_PAGE_SIZE).default(20),
  after: z.string().min(1).max(200).optional(),
});

export type ReviewQueueOptions = z.input<typeof reviewQueueOptionsSchema>;

/** Strictly after a position in (convertedAt, _id) ascending order; the redundant `$gte` bounds the index scan. */
const afterPosition = (cursor: string) => {
  const { at, id } = decodeCursor(cursor, 'listAwaitingReview');
  return { $or: [{ convertedAt: { $gt: at } }, { convertedAt: at, _id: { $gt: id } }] as mongo.Filter<ReferralRecord>[], $gte: at };
};

/**
 * Referrals awaiting a decision across referrers (an open chain or a flag), oldest first, by
 * keyset pagination on rf_referral_review_queue: the index holds only referrals in the queue.
 */
export const listAwaitingReview = async (
  deps: ReferralDeps,
  scope: CallScope,
  options: z.output<typeof reviewQueueOptionsSchema>,
): Promise<Page<ReferralRecord>> => {
  const after = options.after ? afterPosition(options.after) : null;
  const convertedAt = { ...(after ? { $gte: after.$gte } : {}), ...(options.convertedBefore ? { $lt: options.convertedBefore } : {}) };
  const filter = scope.live({
    status: 'converted',
    reviewRequired: true,
    ...(Object.keys(convertedAt).length > 0 ? { convertedAt } : {}),
    ...(after ? { $or: after.$or } : {}),
    ...(options.flagged === undefined ? {} : { 'review.flagged': options.flagged ? true : { $ne: true } }),
    ...(options.step ? { 'awaiting.steps': options.step } : {}),
    ...(options.approver === undefined ? {} : { 'awaiting.approvers': canonicalId(String(options.approver)) }),
  });
  // query: referral.reviewQueue
  const docs = await findAll(deps.referrals, filter as mongo.Filter<ReferralRecord>, {
    ...scope.read,
    sort: { convertedAt: 1, _id: 1 },
    limit: options.limit + 1,
  });
  const items = docs.slice(0, options.limit);
  const last = items.at(-1);
  return { items, next: docs.length > options.limit && last ? encodeCursor({ at: last.convertedAt, id: last._id }) : null };
};
