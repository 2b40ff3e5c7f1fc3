import { describe, expect, it } from 'vitest';
import {
  type ApprovalChain,
  type ApprovalChainLike,
  applyDecision,
  applyThresholds,
  assertApproved,
  assertApprovedIfPresent,
  chainFor,
  createChain,
  decisionCount,
  isApproved,
  isNotRequired,
  isPending,
  isRejected,
  nextPendingStep,
  normalizeChain,
  notRequiredChain,
  pendingSteps,
  skipStep,
} from '../../src/approval/index.js';
import { ApprovalError } from '../../src/kernel/errors.js';

/** The semantics of @classytic/primitives' workflow/approval (revision 2462f51), plus canonical ids. */
const sequential = () =>
  createChain({
    order: 'sequential',
    steps: [
      { id: 'manager', name: 'Manager', approvers: [{ id: 'm1', name: 'Mia', role: 'manager' }, { id: 'm2' }] },
      { id: 'finance', approvers: [{ id: 'f1' }, { id: 'f2' }, { id: 'f3' }], requiredApprovals: 2 },
    ],
  });

const parallel = () =>
  createChain({
    order: 'parallel',
    steps: [
      { id: 'risk', approvers: [{ id: 'r1' }] },
      { id: 'ops', approvers: [{ id: 'o1' }] },
    ],
  });

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApprovalError) return error.code;
    throw error;
  }
  throw new Error('expected an error');
};

const decide = (chain: ApprovalChain, stepId: string, approverId: string, decision: 'approved' | 'rejected' = 'approved') =>
  applyDecision(chain, { stepId, approverId, decision });

describe('createChain', () => {
  it('builds a pending chain, keeping step names and approver names and roles', () => {
    const chain = sequential();
    expect(chain).toMatchObject({ order: 'sequential', status: 'pending' });
    expect(chain.steps.map((s) => [s.id, s.status, s.requiredApprovals, s.decisions.length])).toEqual([
      ['manager', 'pending', 1, 0],
      ['finance', 'pending', 2, 0],
    ]);
    expect(chain.steps[0]).toMatchObject({ name: 'Manager', approvers: [{ id: 'm1', name: 'Mia', role: 'manager' }, { id: 'm2' }] });
  });

  it.each([
    ['quorum above the approver count', [{ id: 's', approvers: [{ id: 'a' }], requiredApprovals: 2 }], 'INVALID_QUORUM'],
    ['zero quorum', [{ id: 's', approvers: [{ id: 'a' }], requiredApprovals: 0 }], 'INVALID_QUORUM'],
    ['fractional quorum', [{ id: 's', approvers: [{ id: 'a' }, { id: 'b' }], requiredApprovals: 1.5 }], 'INVALID_QUORUM'],
    ['no steps', [], 'EMPTY_STEPS'],
    [
      'duplicate step ids',
      [
        { id: 's', approvers: [{ id: 'a' }] },
        { id: 's', approvers: [{ id: 'b' }] },
      ],
      'DUPLICATE_STEP_ID',
    ],
    ['duplicate approvers', [{ id: 's', approvers: [{ id: 'a' }, { id: 'a' }] }], 'DUPLICATE_APPROVER_ID'],
    ['a step without approvers', [{ id: 's', approvers: [] }], 'EMPTY_APPROVERS'],
  ])('refuses %s with primitives\u2019 code', (_name, steps, code) => {
    expect(codeOf(() => createChain({ order: 'sequential', steps }))).toBe(code);
  });

  it('keeps one spelling of an ObjectId approver, so any case decides', () => {
    const chain = createChain({ order: 'sequential', steps: [{ id: 's', approvers: ['64B5F0A1C2D3E4F5A6B7C8D9'] }] });
    expect(chain.steps[0]?.approvers).toEqual([{ id: '64b5f0a1c2d3e4f5a6b7c8d9' }]);
    expect(decide(chain, 's', '64B5F0A1C2D3E4F5A6B7C8D9').status).toBe('approved');
  });
});

describe('sequential chains', () => {
  it('activate one step at a time: pendingSteps is the next step only', () => {
    const chain = sequential();
    expect(pendingSteps(chain).map((s) => s.id)).toEqual(['manager']);
    expect(nextPendingStep(chain)?.id).toBe('manager');
    const afterManager = decide(chain, 'manager', 'm1');
    expect(pendingSteps(afterManager).map((s) => s.id)).toEqual(['finance']);
  });

  it('approve when every step reaches its quorum', () => {
    let chain = decide(sequential(), 'manager', 'm2');
    chain = decide(chain, 'finance', 'f1');
    expect(chain.status).toBe('pending');
    chain = decide(chain, 'finance', 'f3');
    expect(chain.status).toBe('approved');
    expect(isApproved(chain)).toBe(true);
    expect(decisionCount(chain)).toBe(3);
  });

  it('one rejection rejects the step and the chain', () => {
    const chain = decide(sequential(), 'manager', 'm1', 'rejected');
    expect(chain.steps[0]?.status).toBe('rejected');
    expect(isRejected(chain)).toBe(true);
    expect(pendingSteps(chain).map((s) => s.id)).toEqual(['finance']);
  });

  it('refuse an inactive step, an unlisted approver, a second decision and an unknown step', () => {
    expect(codeOf(() => decide(sequential(), 'finance', 'f1'))).toBe('STEP_NOT_ACTIVE');
    expect(codeOf(() => decide(sequential(), 'manager', 'stranger'))).toBe('UNAUTHORIZED_APPROVER');
    const partial = decide(decide(sequential(), 'manager', 'm1'), 'finance', 'f1');
    expect(codeOf(() => decide(partial, 'finance', 'f1'))).toBe('STEP_ALREADY_DECIDED_BY_APPROVER');
    expect(codeOf(() => decide(sequential(), 'legal', 'm1'))).toBe('UNKNOWN_STEP');
    expect(codeOf(() => skipStep(sequential(), 'legal'))).toBe('UNKNOWN_STEP');
  });

  it('never mutate the chain they are given', () => {
    const chain = sequential();
    const before = JSON.stringify(chain);
    decide(chain, 'manager', 'm1');
    skipStep(chain, 'manager', 'x');
    expect(JSON.stringify(chain)).toBe(before);
  });
});

describe('parallel chains', () => {
  it('activate every pending step', () => {
    const chain = parallel();
    expect(pendingSteps(chain).map((s) => s.id)).toEqual(['risk', 'ops']);
    const afterOps = decide(chain, 'ops', 'o1');
    expect(pendingSteps(afterOps).map((s) => s.id)).toEqual(['risk']);
    expect(decide(afterOps, 'risk', 'r1').status).toBe('approved');
  });
});

describe('skipping', () => {
  it('a skipped step counts as completed; the reason is kept as skippedReason', () => {
    const chain = skipStep(sequential(), 'manager', 'manager on leave');
    expect(chain.steps[0]).toMatchObject({ status: 'skipped', skippedReason: 'manager on leave' });
    expect(pendingSteps(chain).map((s) => s.id)).toEqual(['finance']);
    expect(skipStep(chain, 'finance').status).toBe('approved');
  });

  it('only a pending step can be skipped', () => {
    const decided = decide(sequential(), 'manager', 'm1');
    expect(codeOf(() => skipStep(decided, 'manager', 'late'))).toBe('STEP_NOT_ACTIVE');
  });
});

describe('gates', () => {
  it('assertApproved: an absent chain is CHAIN_MISSING, an unfinished one CHAIN_INCOMPLETE', () => {
    expect(codeOf(() => assertApproved(null))).toBe('CHAIN_MISSING');
    expect(codeOf(() => assertApproved(undefined))).toBe('CHAIN_MISSING');
    expect(codeOf(() => assertApproved(sequential()))).toBe('CHAIN_INCOMPLETE');
    expect(() => assertApproved(notRequiredChain('under the threshold'))).not.toThrow();
    expect(() => assertApprovedIfPresent(null)).not.toThrow();
    expect(codeOf(() => assertApprovedIfPresent(sequential(), { message: 'wait' }))).toBe('CHAIN_INCOMPLETE');
  });

  it('notRequiredChain is approved with no steps, and says so', () => {
    const chain = notRequiredChain('small order');
    expect(chain).toMatchObject({ status: 'approved', steps: [], notRequiredReason: 'small order' });
    expect(isNotRequired(chain)).toBe(true);
    expect(isPending(sequential())).toBe(true);
  });

  it('carries an HTTP status beside primitives\u2019 code', () => {
    try {
      decide(sequential(), 'manager', 'stranger');
    } catch (error) {
      expect(error).toMatchObject({ name: 'ApprovalError', code: 'UNAUTHORIZED_APPROVER', status: 403 });
    }
  });
});

describe('accepting a supplied chain', () => {
  const claimed = (overrides: Partial<ApprovalChainLike> = {}): ApprovalChainLike => ({
    order: 'sequential',
    status: 'approved',
    steps: [{ id: 'manager', approvers: [{ id: 'm1' }], requiredApprovals: 1, status: 'approved', decisions: [] }],
    ...overrides,
  });

  it('recomputes statuses from decisions and skips: claiming approved approves nothing', () => {
    expect(normalizeChain(claimed()).status).toBe('pending');
    const decided = claimed({
      steps: [{ id: 'manager', approvers: [{ id: 'm1' }], status: 'pending', decisions: [{ approverId: 'm1', decision: 'approved', decidedAt: new Date() }] }],
    });
    expect(normalizeChain(decided).status).toBe('approved');
    const skipped = claimed({ steps: [{ id: 'manager', approvers: [{ id: 'm1' }], status: 'skipped', skippedReason: 'n/a', decisions: [] }] });
    expect(normalizeChain(skipped).steps[0]).toMatchObject({ status: 'skipped', skippedReason: 'n/a' });
  });

  it('refuses a history no sequence of decisions could produce', () => {
    const unlisted = claimed({
      steps: [{ id: 'manager', approvers: [{ id: 'm1' }], decisions: [{ approverId: 'eve', decision: 'approved', decidedAt: new Date() }] }],
    });
    expect(codeOf(() => normalizeChain(unlisted))).toBe('UNAUTHORIZED_APPROVER');
    const outOfOrder = claimed({
      steps: [
        { id: 'a', approvers: [{ id: 'x' }], decisions: [] },
        { id: 'b', approvers: [{ id: 'y' }], decisions: [{ approverId: 'y', decision: 'approved', decidedAt: new Date() }] },
      ],
    });
    expect(codeOf(() => normalizeChain(outOfOrder))).toBe('STEP_NOT_ACTIVE');
  });
});

describe('thresholds', () => {
  const withThreshold = () =>
    createChain({
      order: 'sequential',
      steps: [
        { id: 'manager', approvers: [{ id: 'm1' }] },
        { id: 'finance', approvers: [{ id: 'f1' }], threshold: { field: 'metadata.amount', op: 'gt', value: 1000 } },
      ],
    });

  it('skips a step whose threshold does not hold for the subject, and keeps it when it does', () => {
    const small = applyThresholds(withThreshold(), { metadata: { amount: 50 } });
    expect(small.steps[1]).toMatchObject({ status: 'skipped', skippedReason: 'threshold not met: metadata.amount gt 1000' });
    expect(applyThresholds(withThreshold(), { metadata: { amount: 5000 } }).steps[1]?.status).toBe('pending');
  });

  it('keeps the step when the field is missing or not a number', () => {
    expect(applyThresholds(withThreshold(), { metadata: null }).steps[1]?.status).toBe('pending');
    expect(applyThresholds(withThreshold(), { metadata: { amount: '5' } }).steps[1]?.status).toBe('pending');
  });

  it('chainFor builds from an input and refuses an empty one', () => {
    expect(chainFor({ steps: [{ id: 's', approvers: ['a'], threshold: { field: 'amount', op: 'lt', value: 10 } }] }, { amount: 20 }).status).toBe('approved');
    expect(codeOf(() => chainFor({ steps: [] }, {}))).toBe('EMPTY_STEPS');
  });
});
