import { type Schema, Types } from 'mongoose';
import { OBJECT_ID_HEX } from '../kernel/ids.js';

/** A ref as the engine stores it: the string of an ObjectId is that ObjectId, any other value as given. */
const asStored = (value: unknown): unknown => (typeof value === 'string' && OBJECT_ID_HEX.test(value) ? new Types.ObjectId(value) : value);

const SINGLE = new Set(['$eq', '$ne']);
const LISTS = new Set(['$in', '$nin']);

function castRefForQuery($cond: string | null, value: unknown): unknown {
  if ($cond === null || SINGLE.has($cond)) return asStored(value);
  if (LISTS.has($cond) && Array.isArray(value)) return value.map(asStored);
  return value;
}

/**
 * Ref paths (`ownerRef`, `referrerRef`, `refereeRef`, `sourceRef`) are Mixed: an ObjectId or a
 * string id. Mongoose casts nothing on Mixed, so a host's reporting query through `models` by the
 * hex string of an ObjectId would match nothing; these casts, set on this schema's own paths and
 * never on mongoose's global types, store and query refs as the engine's verbs do.
 */
export const castRefPaths = (schema: Schema): Schema => {
  schema.eachPath((path, type) => {
    if (type.instance === 'Mixed' && path.endsWith('Ref')) Object.assign(type, { castForQuery: castRefForQuery, cast: asStored });
  });
  return schema;
};
