import type { mongo } from 'mongoose';
import type { Doc } from './operations.js';

/** The records `filter` finds that are still undecided (stored, not yet standing or voided). */
export const undecided = (filter: Doc): mongo.Filter<mongo.Document> => ({ ...filter, unconfirmedAt: { $exists: true } }) as mongo.Filter<mongo.Document>;

/** The write that voids an undecided record: `fields` set, its marker and its held events (`voidUnset`, the outbox's) gone. */
export const voidingUpdate = (fields: Doc, voidUnset: Doc): mongo.UpdateFilter<mongo.Document> => ({
  $set: fields,
  $unset: { unconfirmedAt: '', ...voidUnset },
});
