/**
 * Connection faults are passed through unchanged, as the driver and mongoose raise them, so a
 * host's `session.withTransaction` still sees the driver's error labels and retries. These are
 * the classes a host will see when MongoDB cannot be reached; each is retryable once it can.
 */
export const DATABASE_UNAVAILABLE_ERRORS: readonly string[] = [
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongoServerClosedError',
];

/**
 * True for an error that means "MongoDB could not be reached" (answer 503 and retry), including
 * mongoose's "buffering timed out after <bufferTimeoutMS>ms" for a connection that is not open,
 * and a bulk write error the driver wrapped around such a fault (it keeps it as `errorResponse`).
 * Checked by name, so errors from another copy of the driver are recognized too.
 */
export const isDatabaseUnavailable = (error: unknown): boolean => {
  if (!(error instanceof Error)) return false;
  if (DATABASE_UNAVAILABLE_ERRORS.includes(error.name)) return true;
  if (error.name === 'MongooseError') return /buffering timed out/.test(error.message);
  const wrapped = (error as { errorResponse?: unknown }).errorResponse;
  return error.name === 'MongoBulkWriteError' && wrapped !== error && isDatabaseUnavailable(wrapped);
};
