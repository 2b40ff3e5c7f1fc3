import { type FraudGuard, GUARD_OUTCOMES, type GuardContext, type GuardDecision, type GuardInput, type GuardVerdict } from './types.js';

const validOutcomes = new Set<string>(GUARD_OUTCOMES);

/**
 * Runs every guard in order and keeps every decision. Any `reject` rejects, else any `flag`
 * flags. A guard that returns something else is a host bug and fails loudly.
 */
export const runGuards = async (guards: readonly FraudGuard[], input: GuardInput, context: GuardContext): Promise<GuardVerdict | null> => {
  if (guards.length === 0) return null;
  const results: GuardDecision[] = [];
  for (const guard of guards) {
    const decision = await guard(input, context);
    if (!decision || !validOutcomes.has(decision.outcome) || typeof decision.rule !== 'string' || decision.rule === '') {
      throw new TypeError('A fraud guard must return { outcome: "accept" | "flag" | "reject", rule, reason? }');
    }
    results.push({ outcome: decision.outcome, rule: decision.rule, ...(decision.reason ? { reason: decision.reason } : {}) });
  }
  const hits = results.filter((r) => r.outcome !== 'accept');
  const outcome = hits.some((r) => r.outcome === 'reject') ? 'reject' : hits.length > 0 ? 'flag' : 'accept';
  return { outcome, flagged: outcome === 'flag', rules: hits.map((r) => r.rule), results, decidedAt: new Date() };
};
