import type { mongo } from 'mongoose';
import type { AttributionDeps } from '../attribution/deps.js';
import type { CallScope } from '../store/scope.js';
import type { ReferralRollupRecord } from './rollup.model.js';

/** Where dashboard rollups live, and when a read may use them. */
export interface RollupStore {
  collection: mongo.Collection<ReferralRollupRecord>;
  /**
   * How long after its server timestamp a change is surely committed (visible to every reader),
   * in ms: watermarks stay this far behind the server's clock, so a write stamped but not yet
   * committed (a slow command, a host transaction) is still read as changed when it lands.
   */
  graceMs: number;
  /** True when the call reads one tenant (or the engine has none) outside a transaction: a snapshot would hide changes from a watermark. */
  covers(scope: CallScope): boolean;
}

/** What the dashboards need: the records they count and their rollups. */
export interface StatsDeps extends AttributionDeps {
  rollups: RollupStore;
}
