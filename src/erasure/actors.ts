import type { mongo } from 'mongoose';
import { findAll } from '../kernel/cursor.js';
import { canonicalId, OBJECT_ID_HEX, type Ref } from '../kernel/ids.js';
import type { CallScope } from '../store/scope.js';
import type { ErasureDeps } from './erase.js';

/** The fields of a record where a person can appear as an actor: who acted, who decided, the events and their parked errors. */
const ACTOR_FIELDS = ['actors', 'decisions', 'reversals', 'approvals', 'awaiting', 'outbox', 'parkedEvents'] as const;

type Replace = (text: string) => string;

/** Every string that holds the person's id (alone, or in a text such as a consumer's error), with the stand-in in its place. */
const replaceIn = (value: unknown, replace: Replace): unknown => {
  if (typeof value === 'string') return replace(value);
  if (Array.isArray(value)) return value.map((item) => replaceIn(item, replace));
  if (value instanceof Date || value === null || typeof value !== 'object' || value.constructor !== Object) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replaceIn(item, replace)]));
};

/** A 24-hex id in any case (its characters need no escaping), any other id exactly as written. */
const replacerFor = (id: string, stand: string): Replace => {
  if (!OBJECT_ID_HEX.test(id)) return (text) => text.split(id).join(stand);
  const pattern = new RegExp(id, 'gi');
  return (text) => text.replace(pattern, stand);
};

/**
 * The person as the actor of calls: every record of the tenant that lists them in `actors`
 * (their own and anyone else's they acted on) gets the stand-in wherever their id appears in its
 * actor fields, events and parked errors. A 24-hex id matches in any case, as ids are compared.
 */
export const eraseActor = async (deps: ErasureDeps, scope: CallScope, ref: Ref, stand: string): Promise<void> => {
  const id = canonicalId(String(ref));
  const replace = replacerFor(id, stand);
  for (const collection of [deps.codes, deps.referrals, deps.leads, deps.referrers] as unknown as mongo.Collection[]) {
    // query: record.byActor
    const records = await findAll(collection, scope.where({ actors: id }), {
      projection: Object.fromEntries(ACTOR_FIELDS.map((field) => [field, 1])),
      ...scope.options,
    });
    const patches = records.map((record) => ({
      _id: record._id,
      set: Object.fromEntries(ACTOR_FIELDS.filter((field) => record[field] !== undefined).map((field) => [field, replaceIn(record[field], replace)])),
    }));
    // query: record.byId
    await deps.writes.setEach(scope, collection, patches);
  }
};
