import { z } from 'zod';
import { refSchema } from '../kernel/ids.js';
import { modelNameSchema, textSchema } from '../kernel/input.js';

/** Who: the referrer as sales and leads name them (a code's owner, `referrerModel` default `user`). */
const referrerFields = { referrerRef: refSchema, referrerModel: modelNameSchema.default('user') };

export const suspendReferrerInputSchema = z.strictObject({ ...referrerFields, reason: textSchema(2000) });

export const resumeReferrerInputSchema = z.strictObject(referrerFields);

export type SuspendReferrerInput = z.input<typeof suspendReferrerInputSchema>;
export type ResumeReferrerInput = z.input<typeof resumeReferrerInputSchema>;
