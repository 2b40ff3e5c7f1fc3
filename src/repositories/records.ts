import type { mongo } from 'mongoose';
import type { ReferralContext } from '../core/context.js';
import type { ReferralCodeRecord } from '../models/referral-code.model.js';
import type { ReferralRecord } from '../models/referral.model.js';
import type { EngineRuntime } from '../engine/runtime.js';

export type CodeCollection = mongo.Collection<ReferralCodeRecord>;
export type ReferralCollection = mongo.Collection<ReferralRecord>;

/** Repositories talk to the driver collection: inputs are already validated, reads stay lean. */
export const codeCollection = (runtime: EngineRuntime): CodeCollection => runtime.models.ReferralCode.collection as unknown as CodeCollection;
export const referralCollection = (runtime: EngineRuntime): ReferralCollection => runtime.models.Referral.collection as unknown as ReferralCollection;

export const driverOptions = (ctx: ReferralContext | undefined): { session?: mongo.ClientSession } =>
  ctx?.session ? { session: ctx.session as unknown as mongo.ClientSession } : {};
