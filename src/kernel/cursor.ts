import type { mongo } from 'mongoose';

type Readable = Pick<mongo.Collection<mongo.Document>, 'find' | 'aggregate' | 'findOne'>;

/**
 * While its connection is not open yet, mongoose's collection queues commands; promise-returning
 * ones wait (up to `bufferTimeoutMS`), but `find()` and `aggregate()` return no cursor. So a read
 * of a whole cursor first waits through one buffered command when, and only when, it would queue.
 */
const whenOpen = async (collection: Readable): Promise<void> => {
  if ((collection as { buffer?: boolean }).buffer !== true) return;
  // query: * (by _id; only before the connection first opens)
  await collection.findOne({ _id: null } as unknown as mongo.Filter<mongo.Document>, { projection: { _id: 1 } });
};

/** Every document `filter` matches, as an array. The caller names the query shape. */
export const findAll = async <T extends mongo.Document>(
  target: mongo.Collection<T>,
  filter: mongo.Filter<T>,
  options: mongo.FindOptions,
): Promise<mongo.WithId<T>[]> => {
  await whenOpen(target as unknown as Readable);
  // query: * (named at the call site)
  return target.find(filter, options).toArray();
};

/** The pipeline's results, as an array. The caller names the query shape. */
export const aggregateAll = async <R extends mongo.Document, T extends mongo.Document = mongo.Document>(
  target: mongo.Collection<T>,
  pipeline: mongo.Document[],
  options: mongo.AggregateOptions,
): Promise<R[]> => {
  await whenOpen(target as unknown as Readable);
  // query: * (named at the call site)
  return target.aggregate<R>(pipeline, options).toArray();
};
