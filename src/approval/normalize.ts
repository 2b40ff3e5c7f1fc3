import { ApprovalError } from '../kernel/errors.js';
import { applyDecision, createChain, notRequiredChain, skipStep } from './chain.js';
import type { ApprovalChainLike as ApprovalSchemaInput } from './schema.js';
import type { ApprovalChain, ApprovalThreshold } from './types.js';

/** A supplied chain is one that carries a status or decisions; anything else is an input to create one. */
const isSuppliedChain = (input: ApprovalSchemaInput): boolean =>
  input.status !== undefined || input.steps.some((step) => step.status !== undefined || step.decisions !== undefined);

/**
 * Rebuilds a supplied chain from its structure, decisions and skips, through the same
 * transitions that made it, so every status is recomputed: a chain that only claims
 * `approved` comes back `pending`, and an impossible history (an unlisted approver, a decision
 * on a step that was not active) is refused with that transition's error.
 */
export const normalizeChain = (input: ApprovalSchemaInput): ApprovalChain => {
  if (input.steps.length === 0) return notRequiredChain(input.notRequiredReason ?? 'no approval steps');
  let chain = createChain({
    order: input.order ?? 'sequential',
    steps: input.steps.map(({ id, name, approvers, requiredApprovals, threshold }) => ({
      id,
      ...(name ? { name } : {}),
      approvers,
      ...(requiredApprovals === undefined ? {} : { requiredApprovals }),
      ...(threshold ? { threshold } : {}),
    })),
  });
  for (const step of input.steps) {
    for (const decision of step.decisions ?? []) {
      chain = applyDecision(chain, {
        stepId: step.id,
        approverId: decision.approverId,
        decision: decision.decision,
        decidedAt: decision.decidedAt,
        ...(decision.note === undefined ? {} : { note: decision.note }),
      });
    }
    if (step.status === 'skipped') chain = skipStep(chain, step.id, step.skippedReason);
  }
  return chain;
};

const valueAt = (subject: unknown, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (value, key) => (value !== null && typeof value === 'object' && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined),
      subject,
    );

const holds = (threshold: ApprovalThreshold, subject: unknown): boolean => {
  const value = valueAt(subject, threshold.field);
  // A field that is not a number cannot show the step is unneeded, so the step stays.
  if (typeof value !== 'number' || !Number.isFinite(value)) return true;
  switch (threshold.op) {
    case 'gt':
      return value > threshold.value;
    case 'gte':
      return value >= threshold.value;
    case 'lt':
      return value < threshold.value;
    case 'lte':
      return value <= threshold.value;
    default:
      return value === threshold.value;
  }
};

/** Skips, with the reason recorded, every pending step whose threshold does not hold for `subject`. */
export const applyThresholds = (chain: ApprovalChain, subject: unknown): ApprovalChain =>
  chain.steps.reduce((current, step) => {
    const { threshold } = step;
    if (!threshold || step.status !== 'pending' || holds(threshold, subject)) return current;
    return skipStep(current, step.id, `threshold not met: ${threshold.field} ${threshold.op} ${threshold.value}`);
  }, chain);

/**
 * The chain a referral carries: built from an input or rebuilt from a supplied chain, then its
 * thresholds evaluated against the referral.
 */
export const chainFor = (input: ApprovalSchemaInput, subject: unknown): ApprovalChain => {
  const chain = isSuppliedChain(input)
    ? normalizeChain(input)
    : input.steps.length === 0
      ? raiseEmpty()
      : createChain({ ...(input.order ? { order: input.order } : {}), steps: input.steps });
  return applyThresholds(chain, subject);
};

const raiseEmpty = (): never => {
  throw new ApprovalError('EMPTY_STEPS', 'chain must have at least one step');
};
