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
 * mongoose's "buffering timed out after <bufferTimeoutMS>ms" for a connection that is not open.
 * Checked by name, so errors from another copy of the driver are recognized too.
 */
export const isDatabaseUnavailable = (error: unknown): boolean =>
  error instanceof Error && (DATABASE_UNAVAILABLE_ERRORS.includes(error.name) || (error.name === 'MongooseError' && /buffering timed out/.test(error.message)));
