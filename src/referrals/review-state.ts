import { pendingSteps } from '../approval/chain.js';
import type { ApprovalChain } from '../approval/types.js';

const DAY_MS = 86_400_000;

/** What a referral awaiting a decision is filed under: who and which steps it waits on now. */
export interface Awaiting {
  /** The chain's active steps (the next pending one of a sequential chain, every pending one of a parallel chain). */
  steps: string[];
  /** The approvers listed on those steps. */
  approvers: string[];
}

/**
 * The queue fields of a referral: in the queue (`reviewRequired`) when an approval chain or a
 * flag holds it, filed under its active steps and their approvers. Recomputed on every write that
 * changes the chain; a decided referral leaves the queue by its status.
 */
export const queueFields = (approvals: ApprovalChain | null, flagged: boolean): { reviewRequired?: true; awaiting?: Awaiting } => {
  if (!approvals && !flagged) return {};
  const active = approvals ? pendingSteps(approvals) : [];
  return { reviewRequired: true, awaiting: { steps: active.map((s) => s.id), approvers: [...new Set(active.flatMap((s) => s.approvers.map((a) => a.id)))] } };
};

/** `holdUntil` of a new referral: with `review.holdDays`, one no chain and no flag holds is approved once it passes. */
export const holdFields = (holdDays: number | undefined, held: boolean, now: Date): { holdUntil?: Date } =>
  holdDays === undefined || held ? {} : { holdUntil: new Date(now.getTime() + holdDays * DAY_MS) };
