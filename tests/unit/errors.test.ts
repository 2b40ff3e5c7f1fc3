import { describe, expect, it } from 'vitest';
import { asDuplicateKey, translateDuplicate } from '../../src/kernel/duplicate-key.js';
import {
  ApprovalError,
  DuplicateError,
  InvalidTransitionError,
  isReferralError,
  NotFoundError,
  ReferralError,
  SelfReferralError,
  TenantRequiredError,
  ValidationError,
} from '../../src/kernel/errors.js';

describe('error shapes', () => {
  it.each([
    [new ValidationError([{ field: 'code', message: 'bad' }]), 'validation_failed', 422],
    [new TenantRequiredError('organizationId'), 'tenant_required', 403],
    [new NotFoundError('referral_not_found', 'missing'), 'referral_not_found', 404],
    [new SelfReferralError(), 'self_referral', 422],
    [new InvalidTransitionError('approved', 'rejected'), 'invalid_transition', 409],
    [new DuplicateError(['code']), 'duplicate', 409],
    [new ApprovalError('UNAUTHORIZED_APPROVER', 'no'), 'UNAUTHORIZED_APPROVER', 403],
    [new ApprovalError('INVALID_QUORUM', 'no'), 'INVALID_QUORUM', 422],
  ])('%s has a stable code and status', (error, code, status) => {
    expect(error).toBeInstanceOf(ReferralError);
    expect(error).toBeInstanceOf(Error);
    expect(isReferralError(error)).toBe(true);
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.toJSON()).toMatchObject({ code, status, message: error.message });
  });

  it('names the field in a validation error', () => {
    const error = new ValidationError([{ field: 'input.sourceRef', message: 'Expected string' }]);
    expect(error.field).toBe('input.sourceRef');
    expect(error.message).toContain('input.sourceRef');
  });
});

describe('duplicate-key translation', () => {
  const e11000 = { code: 11000, keyPattern: { organizationId: 1, code: 1 }, keyValue: { organizationId: 'x', code: 'SECRET' } };

  it('reads field names from keyPattern', () => {
    expect(asDuplicateKey(e11000)).toEqual({ fields: ['organizationId', 'code'] });
    expect(asDuplicateKey({ writeErrors: [{ err: e11000 }] })).toEqual({ fields: ['organizationId', 'code'] });
    expect(asDuplicateKey(new Error('other'))).toBeNull();
  });

  it('becomes a 409 that names fields but never values', () => {
    const translated = translateDuplicate(e11000);
    expect(translated).toBeInstanceOf(DuplicateError);
    expect(JSON.stringify(translated)).not.toContain('SECRET');
    expect((translated as DuplicateError).fields).toEqual(['organizationId', 'code']);
    const other = new Error('network');
    expect(translateDuplicate(other)).toBe(other);
  });
});
