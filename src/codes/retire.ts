import { ContentionError, NotFoundError } from '../kernel/errors.js';
import type { CallScope } from '../store/scope.js';
import type { CodeDeps } from './deps.js';
import { codeDeactivatedEvent } from './events.js';
import type { ReferralCodeRecord } from './model.js';

/** Concurrent retire calls on one code: the loser re-reads and returns the winner's result. */
const RETIRE_RACE_RETRIES = 2;

/**
 * Deactivates (and with `remove`, soft-deletes) a code; emits `referral:code.deactivated` once.
 * Deactivating an inactive code is a no-op that returns it.
 */
export const retireCode = async (deps: CodeDeps, scope: CallScope, code: string, remove: boolean): Promise<ReferralCodeRecord> => {
  const { now } = scope;
  // query: code.byId
  const after = await deps.writes.transition(scope, {
    collection: deps.codes,
    // query: code.byCodeLive
    read: () => deps.codes.findOne(scope.live({ code }), scope.read),
    notFound: () => new NotFoundError('code_not_found', 'No such referral code in this tenant'),
    plan: (before) => {
      if (!before.active && !remove) return null;
      return {
        expect: { active: before.active, deletedAt: null },
        set: { active: false, updatedAt: now, deactivatedAt: before.deactivatedAt ?? now, ...(remove ? { deletedAt: now } : {}) },
        events: before.active ? [codeDeactivatedEvent(before, now, scope.ctx)] : [],
      };
    },
    race: { on: 'changed', retries: RETIRE_RACE_RETRIES, exhausted: () => new ContentionError('code') },
  });
  deps.config.cache?.invalidate(scope.tenant, code);
  await deps.afterRetire(scope, after._id);
  return after;
};
