import type { Connection } from 'mongoose';

const ignored = new Set(['hello', 'ismaster', 'isMaster', 'endSessions', 'ping', 'saslContinue', 'saslStart']);

/**
 * Counts the commands a connection sends (driver command monitoring; the connection must be
 * opened with `monitorCommands: true`). Handshakes and heartbeats are not counted.
 */
export const commandCounter = (connection: Connection) => {
  const seen: string[] = [];
  connection.getClient().on('commandStarted', (event) => {
    if (!ignored.has(event.commandName)) seen.push(event.commandName);
  });
  return {
    /** The commands `fn` sent, by name, in order. */
    async during<T>(fn: () => Promise<T>): Promise<{ result: T; commands: string[] }> {
      const start = seen.length;
      const result = await fn();
      return { result, commands: seen.slice(start) };
    },
  };
};
