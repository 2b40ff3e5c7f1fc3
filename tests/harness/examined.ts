import type { Connection, mongo } from 'mongoose';

export interface Examined {
  commands: number;
  keysExamined: number;
  docsExamined: number;
}

/**
 * The keys and documents the server examined for every read `call` sent, by its own explain
 * (`executionStats`) of each `find` and `aggregate` captured as sent. Shared by the explain tests
 * and `npm run bench`; `connection` must be opened with `monitorCommands: true`.
 */
export const examinedBy = async (connection: Connection, call: () => Promise<unknown>): Promise<Examined> => {
  const sent: mongo.Document[] = [];
  const listener = (event: mongo.CommandStartedEvent) => {
    if (event.commandName === 'aggregate' || event.commandName === 'find') sent.push(event.command);
  };
  const client = connection.getClient();
  client.on('commandStarted', listener);
  try {
    await call();
  } finally {
    client.off('commandStarted', listener);
  }
  let keysExamined = 0;
  let docsExamined = 0;
  for (const { $db, lsid: _lsid, $clusterTime: _time, ...command } of sent) {
    const explained = await client.db($db).command({ explain: command, verbosity: 'executionStats' });
    const stats = explained.executionStats ?? explained.stages?.[0]?.$cursor?.executionStats;
    if (!stats) throw new Error(`The server explained no executionStats for ${JSON.stringify(Object.keys(command))}`);
    keysExamined += stats.totalKeysExamined;
    docsExamined += stats.totalDocsExamined;
  }
  return { commands: sent.length, keysExamined, docsExamined };
};
