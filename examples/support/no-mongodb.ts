/** Shown, without a stack trace, when neither MONGODB_URI nor mongodb-memory-server gives a MongoDB; `command` is what the user ran. */
export const noMongoDBMessage = (cause: unknown, command: string): string =>
  [
    `No MongoDB to run against: MONGODB_URI is not set, and mongodb-memory-server could not start a mongod (${String((cause as Error)?.message ?? cause).split('\n')[0]}).`,
    'Point MONGODB_URI at a MongoDB replica set (transactions need one), for example one started with Docker:',
    "  docker run -d --name referral-mongo -p 27017:27017 mongo:8 --replSet rs0 && sleep 3 && docker exec referral-mongo mongosh --quiet --eval 'rs.initiate()'",
    `  MONGODB_URI='mongodb://127.0.0.1:27017/?replicaSet=rs0&directConnection=true' ${command}`,
  ].join('\n');

/** mongodb-memory-server logs a full stack when it cannot download mongod; the message above says what to do instead. */
export const quietly = async <T>(fn: () => Promise<T>): Promise<T> => {
  const { warn, error } = console;
  console.warn = console.error = () => {};
  try {
    return await fn();
  } finally {
    console.warn = warn;
    console.error = error;
  }
};

/** Prints the message and exits 1: an expected situation, not a crash. */
export const exitWithoutMongoDB = (cause: unknown, command: string): never => {
  process.stderr.write(`\n${noMongoDBMessage(cause, command)}\n\n`);
  process.exit(1);
};
