import type { Types } from 'mongoose';
import type { z } from 'zod';
import { findCode } from '../codes/resolver.js';
import { ValidationError } from '../kernel/errors.js';
import type { Ref } from '../kernel/ids.js';
import type { CallScope } from '../store/scope.js';
import type { Range } from './days.js';
import type { StatsDeps } from './deps.js';
import type { funnelInputSchema } from './inputs.js';
import type { LeadRow, SaleRow } from './rollup.model.js';
import type { Bucketed } from './rows.js';
import { codeLeads, codeSales, referrerLeads, referrerSales } from './slices.js';

/** Whose dashboard: one referrer (under one model), or one code (and so its owner's rollups). */
export type Subject =
  | { by: 'referrer'; referrerRef: Ref; referrerModel: string }
  | { by: 'code'; codeId: Types.ObjectId; owner: { referrerRef: Ref; referrerModel: string } };

/** The subject input a funnel and a time series share: exactly one of `referrerRef` or `code`. */
type SubjectInput = Pick<z.output<typeof funnelInputSchema>, 'referrerRef' | 'referrerModel' | 'code'>;

export const subjectOf = async (deps: StatsDeps, scope: CallScope, input: SubjectInput): Promise<Subject> => {
  if (input.code === undefined) return { by: 'referrer', referrerRef: input.referrerRef as Ref, referrerModel: input.referrerModel };
  const code = await findCode(deps, scope, input.code);
  if (!code) throw new ValidationError([{ field: 'input.code', message: 'No such referral code in this tenant' }]);
  // A code's sales and leads are all its owner's: whatever decided the referrer, the code recorded is one of theirs.
  return { by: 'code', codeId: code._id, owner: { referrerRef: code.ownerRef, referrerModel: code.ownerModel } };
};

/** The referrer whose rollups hold the subject's days. */
export const ownerOf = (subject: Subject) => (subject.by === 'referrer' ? subject : subject.owner);

/** The bucket index expression of a date field (sales count by `createdAt`, leads by `signedUpAt`). */
export type BucketOfField = (field: 'createdAt' | 'signedUpAt') => unknown;

/** The subject's sales and leads in `range`, from the records, each row with its bucket index. */
export const subjectRecords = async (
  deps: StatsDeps,
  scope: CallScope,
  subject: Subject,
  range: Range,
  bucket: BucketOfField,
): Promise<{ sales: Bucketed<SaleRow>[]; leads: Bucketed<LeadRow>[] }> => {
  const [byCreated, bySignup] = [bucket('createdAt'), bucket('signedUpAt')];
  const sales = await (subject.by === 'code'
    ? codeSales(deps, scope, subject.codeId, range, byCreated)
    : referrerSales(deps, scope, subject, range, byCreated));
  const leads = await (subject.by === 'code' ? codeLeads(deps, scope, subject.codeId, range, bySignup) : referrerLeads(deps, scope, subject, range, bySignup));
  return { sales, leads };
};
