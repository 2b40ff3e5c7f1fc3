import { attributeSale, attributeSaleWithOutcome, recordConversion, trackVisit } from '../attribution/checkout.js';
import { explainReferee } from '../attribution/explain.js';
import { listLeads, listLeadsOptionsSchema } from '../attribution/lead-listing.js';
import { attributeSignup } from '../attribution/signup.js';
import { codeSchema } from '../codes/inputs.js';
import { ReferralCodeRepository } from '../codes/repository.js';
import { resolveCode } from '../codes/resolver.js';
import { eraseOwner, eraseReferee } from '../erasure/erase.js';
import { refSchema } from '../kernel/ids.js';
import { parseInput } from '../kernel/input.js';
import { ReferralRepository } from '../referrals/repository.js';
import { ReferralStats } from '../stats/referral-stats.js';
import { syncOwnedIndexes } from '../store/sync-indexes.js';
import type { ReferralEngine } from './engine.js';
import { createEventsFacade } from './events-facade.js';
import { unregisterModels } from './models.js';
import type { CreateReferralOptions } from './options.js';
import { createReferrersFacade } from './referrers-facade.js';
import { instrument } from './tracing.js';
import { type EngineParts, wireEngine } from './wiring.js';

/** Idempotent teardown: stops relays, writes pending acks, unregisters models, closes an owned bus. */
const teardown = (parts: EngineParts, stopRelays: () => void) => async (): Promise<void> => {
  if (parts.lifecycle.destroyed) return;
  parts.lifecycle.destroyed = true;
  stopRelays();
  await parts.deps.writes.outbox.flush();
  unregisterModels(parts.connection, parts.models);
  if (parts.ownsTransport) await parts.transport.close?.();
};

/** The public object: every verb opens its call scope first (tenant, session, clock), then delegates. */
export const buildEngine = (parts: EngineParts): ReferralEngine => {
  const { deps } = parts;
  const { events, stopRelays } = createEventsFacade(parts);
  const services = { recordConversion: recordConversion.bind(null, deps), explain: explainReferee.bind(null, deps), erase: eraseReferee.bind(null, deps) };
  const close = teardown(parts, stopRelays);
  const engine: ReferralEngine = {
    repositories: {
      referralCode: instrument(new ReferralCodeRepository(deps, eraseOwner.bind(null, deps)), 'referralCode.', parts.timeoutMs),
      referral: instrument(new ReferralRepository(deps, services), 'referral.', parts.timeoutMs),
    },
    models: parts.models,
    events: instrument(events, 'events.', parts.timeoutMs),
    referrers: instrument(createReferrersFacade(parts), 'referrers.', parts.timeoutMs),
    stats: instrument(new ReferralStats(deps), 'stats.', parts.timeoutMs),
    resolveReferrer: async (code, ctx) => {
      const scope = deps.open(ctx, 'read');
      return resolveCode(deps, scope, parseInput(codeSchema, code, 'code'));
    },
    attributeSale: async (input, ctx) => attributeSale(deps, deps.open(ctx), input),
    attributeSaleWithOutcome: async (input, ctx) => attributeSaleWithOutcome(deps, deps.open(ctx), input),
    attributeSignup: async (input, ctx) => attributeSignup(deps, deps.open(ctx), input),
    listLeadsForReferrer: async (referrerRef, options, ctx) => {
      const scope = deps.open(ctx, 'read');
      return listLeads(deps, scope, parseInput(refSchema, referrerRef, 'referrerRef'), parseInput(listLeadsOptionsSchema, options, 'options'));
    },
    trackVisit: async (input, ctx) => trackVisit(deps, deps.open(ctx), input),
    syncIndexes: () => syncOwnedIndexes(parts.owned),
    destroy: close,
    close,
  };
  return instrument(engine, '', parts.timeoutMs);
};

export const createReferral = async (options: CreateReferralOptions): Promise<ReferralEngine> => {
  const engine = buildEngine(wireEngine(options));
  if (options.autoIndex) await engine.syncIndexes();
  return engine;
};
