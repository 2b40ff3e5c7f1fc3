import { describe, expect, it } from 'vitest';
import { activeSteps, applyDecision, assertApproved, createChain, isApproved, pendingSteps, skipStep, type ApprovalChain } from '../../src/approval/index.js';
import { ApprovalError, ValidationError } from '../../src/kernel/errors.js';

const sequential = () =>
  createChain({
    steps: [
      { id: 'manager', approvers: ['m1', 'm2'] },
      { id: 'finance', approvers: [{ id: 'f1' }, { id: 'f2' }, { id: 'f3' }], requiredApprovals: 2 },
    ],
  });

const parallel = () =>
  createChain({
    order: 'parallel',
    steps: [
      { id: 'risk', approvers: ['r1'] },
      { id: 'ops', approvers: ['o1'] },
    ],
  });

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApprovalError || error instanceof ValidationError) return error.code;
    throw error;
  }
  throw new Error('expected an error');
};

describe('createChain', () => {
  it('builds a pending chain with pending steps and defaults', () => {
    const chain = sequential();
    expect(chain).toMatchObject({ order: 'sequential', status: 'pending' });
    expect(chain.steps.map((s) => [s.id, s.status, s.requiredApprovals, s.decisions.length])).toEqual([
      ['manager', 'pending', 1, 0],
      ['finance', 'pending', 2, 0],
    ]);
    expect(chain.steps[1]?.approvers).toEqual([{ id: 'f1' }, { id: 'f2' }, { id: 'f3' }]);
  });

  it.each([
    ['quorum above the approver count', { steps: [{ id: 's', approvers: ['a'], requiredApprovals: 2 }] }, 'approval_invalid_quorum'],
    ['zero quorum', { steps: [{ id: 's', approvers: ['a'], requiredApprovals: 0 }] }, 'approval_invalid_quorum'],
    ['fractional quorum', { steps: [{ id: 's', approvers: ['a', 'b'], requiredApprovals: 1.5 }] }, 'approval_invalid_quorum'],
    ['no steps', { steps: [] }, 'validation_failed'],
    ['duplicate step ids', { steps: [{ id: 's', approvers: ['a'] }, { id: 's', approvers: ['b'] }] }, 'validation_failed'],
    ['duplicate approvers', { steps: [{ id: 's', approvers: ['a', 'a'] }] }, 'validation_failed'],
    ['an empty step id', { steps: [{ id: ' ', approvers: ['a'] }] }, 'validation_failed'],
  ])('refuses %s', (_name, input, code) => {
    expect(codeOf(() => createChain(input))).toBe(code);
  });
});

describe('sequential chains', () => {
  it('activates one step at a time', () => {
    const chain = sequential();
    expect(activeSteps(chain).map((s) => s.id)).toEqual(['manager']);
    expect(pendingSteps(chain).map((s) => s.id)).toEqual(['manager', 'finance']);
    const afterManager = applyDecision(chain, { approverId: 'm2', decision: 'approved' });
    expect(activeSteps(afterManager).map((s) => s.id)).toEqual(['finance']);
    expect(afterManager.status).toBe('pending');
  });

  it('approves the chain once every step reaches its quorum', () => {
    let chain = applyDecision(sequential(), { approverId: 'm1', decision: 'approved', note: 'looks fine' });
    chain = applyDecision(chain, { approverId: 'f1', decision: 'approved' });
    expect(chain.steps[1]?.status).toBe('pending');
    expect(isApproved(chain)).toBe(false);
    chain = applyDecision(chain, { approverId: 'f3', decision: 'approved' });
    expect(chain.status).toBe('approved');
    expect(isApproved(chain)).toBe(true);
    expect(() => assertApproved(chain)).not.toThrow();
    expect(chain.steps[0]?.decisions[0]).toMatchObject({ approverId: 'm1', decision: 'approved', note: 'looks fine' });
    expect(chain.steps[0]?.decisions[0]?.decidedAt).toBeInstanceOf(Date);
  });

  it('rejects the chain on any rejection', () => {
    const chain = applyDecision(sequential(), { approverId: 'm1', decision: 'rejected', note: 'fraud' });
    expect(chain.status).toBe('rejected');
    expect(chain.steps[0]?.status).toBe('rejected');
    expect(codeOf(() => applyDecision(chain, { approverId: 'm2', decision: 'approved' }))).toBe('approval_step_not_active');
  });

  it('refuses a decision on a step that is not active yet', () => {
    expect(codeOf(() => applyDecision(sequential(), { approverId: 'f1', decision: 'approved', stepId: 'finance' }))).toBe('approval_step_not_active');
  });

  it('refuses an approver who is not listed on the active step', () => {
    expect(codeOf(() => applyDecision(sequential(), { approverId: 'f1', decision: 'approved' }))).toBe('approval_approver_not_listed');
    expect(codeOf(() => applyDecision(sequential(), { approverId: 'stranger', decision: 'approved' }))).toBe('approval_approver_not_listed');
  });

  it('refuses a second decision by the same approver on a step', () => {
    let chain = applyDecision(sequential(), { approverId: 'm1', decision: 'approved' });
    chain = applyDecision(chain, { approverId: 'f1', decision: 'approved' });
    expect(codeOf(() => applyDecision(chain, { approverId: 'f1', decision: 'approved' }))).toBe('approval_already_decided');
  });

  it('refuses an unknown step', () => {
    expect(codeOf(() => applyDecision(sequential(), { approverId: 'm1', decision: 'approved', stepId: 'legal' }))).toBe('approval_unknown_step');
    expect(codeOf(() => skipStep(sequential(), 'legal', { reason: 'n/a' }))).toBe('approval_unknown_step');
  });
});

describe('parallel chains', () => {
  it('takes decisions on every pending step in any order', () => {
    const chain = parallel();
    expect(activeSteps(chain).map((s) => s.id)).toEqual(['risk', 'ops']);
    const afterOps = applyDecision(chain, { approverId: 'o1', decision: 'approved' });
    expect(activeSteps(afterOps).map((s) => s.id)).toEqual(['risk']);
    expect(applyDecision(afterOps, { approverId: 'r1', decision: 'approved' }).status).toBe('approved');
  });
});

describe('skipStep', () => {
  it('skips a pending step with its reason and moves on', () => {
    const chain = skipStep(sequential(), 'manager', { reason: 'manager on leave' });
    expect(chain.steps[0]).toMatchObject({ status: 'skipped', skipReason: 'manager on leave' });
    expect(activeSteps(chain).map((s) => s.id)).toEqual(['finance']);
  });

  it('never approves a chain through skips alone', () => {
    let chain = skipStep(parallel(), 'risk', { reason: 'low value' });
    chain = skipStep(chain, 'ops', { reason: 'low value' });
    expect(chain.status).toBe('skipped');
    expect(isApproved(chain)).toBe(false);
    expect(codeOf(() => assertApproved(chain))).toBe('approval_chain_incomplete');
  });

  it('needs a reason and a pending step', () => {
    expect(codeOf(() => skipStep(sequential(), 'manager', { reason: ' ' }))).toBe('validation_failed');
    const decided = applyDecision(sequential(), { approverId: 'm1', decision: 'approved' });
    expect(codeOf(() => skipStep(decided, 'manager', { reason: 'late' }))).toBe('approval_step_not_active');
  });
});

describe('absent chains', () => {
  it('are never approved', () => {
    expect(isApproved(null)).toBe(false);
    expect(isApproved(undefined)).toBe(false);
    expect(codeOf(() => assertApproved(null))).toBe('approval_chain_missing');
    expect(codeOf(() => applyDecision(undefined, { approverId: 'a', decision: 'approved' }))).toBe('approval_chain_missing');
    expect(codeOf(() => skipStep(null, 's', { reason: 'x' }))).toBe('approval_chain_missing');
  });

  it('pending chains are not approved', () => {
    expect(codeOf(() => assertApproved(sequential()))).toBe('approval_chain_incomplete');
  });
});

describe('purity', () => {
  it('never mutates its input', () => {
    const chain: ApprovalChain = sequential();
    const snapshot = structuredClone(chain);
    applyDecision(chain, { approverId: 'm1', decision: 'approved' });
    skipStep(chain, 'finance', { reason: 'x' });
    expect(chain).toEqual(snapshot);
  });
});
