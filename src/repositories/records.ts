import type { mongo } from 'mongoose';
import type { ReferralContext } from '../core/context.js';
import type { EngineRuntime } from '../engine/runtime.js';
import type { EventHome } from '../events/publisher.js';
import type { ReferralCodeRecord } from '../models/referral-code.model.js';
import type { ReferralRecord } from '../models/referral.model.js';
import type { ReferralBindingRecord } from '../models/binding.model.js';
import type { ReferralTouchRecord } from '../models/touch.model.js';

export type CodeCollection = mongo.Collection<ReferralCodeRecord>;
export type ReferralCollection = mongo.Collection<ReferralRecord>;
export type TouchCollection = mongo.Collection<ReferralTouchRecord>;
export type BindingCollection = mongo.Collection<ReferralBindingRecord>;

/** Repositories talk to the driver collection: inputs are already validated, reads stay lean. */
export const codeCollection = (runtime: EngineRuntime): CodeCollection => runtime.models.ReferralCode.collection as unknown as CodeCollection;
export const referralCollection = (runtime: EngineRuntime): ReferralCollection => runtime.models.Referral.collection as unknown as ReferralCollection;
export const touchCollection = (runtime: EngineRuntime): TouchCollection => runtime.models.ReferralTouch.collection as unknown as TouchCollection;
export const bindingCollection = (runtime: EngineRuntime): BindingCollection => runtime.models.ReferralBinding.collection as unknown as BindingCollection;

/** Outbox bookkeeping stays internal: records returned to callers never carry it. */
export const PUBLIC_PROJECTION = { outbox: 0, pendingEventsAt: 0 } as const;

export const eventHome = (collection: mongo.Collection<never> | CodeCollection | ReferralCollection, documentId: unknown): EventHome => ({
  collection: collection as unknown as EventHome['collection'],
  documentId,
});

export const driverOptions = (ctx: ReferralContext | undefined): { session?: mongo.ClientSession } =>
  ctx?.session ? { session: ctx.session as unknown as mongo.ClientSession } : {};
