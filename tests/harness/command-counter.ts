import { type Connection, mongo } from 'mongoose';

const ignored = new Set(['hello', 'ismaster', 'isMaster', 'endSessions', 'ping', 'saslContinue', 'saslStart']);

/** One command the connection sent. */
export interface SentCommand {
  name: string;
  /** Write statements: 1 per findAndModify, one per update or delete statement or inserted document. */
  statements: number;
  /** BSON size of the command document. */
  bytes: number;
  /** Whether any of its updates is an aggregation pipeline (costlier for the server than operators). */
  pipeline: boolean;
  /** Its update statements that acknowledge events (they match `outbox.meta.id`). */
  acknowledgements: number;
}

/** An update statement that acknowledges events: it matches the events it removes by id. */
export const isAcknowledgement = (statement: { q?: Record<string, unknown> }): boolean => statement.q !== undefined && 'outbox.meta.id' in statement.q;

const statementsOf = (name: string, command: Record<string, unknown>): number => {
  if (name === 'update') return (command.updates as unknown[]).length;
  if (name === 'insert') return (command.documents as unknown[]).length;
  if (name === 'delete') return (command.deletes as unknown[]).length;
  return name === 'findAndModify' ? 1 : 0;
};

const usesPipeline = (name: string, command: Record<string, unknown>): boolean => {
  if (name === 'update') return (command.updates as { u: unknown }[]).some((statement) => Array.isArray(statement.u));
  return name === 'findAndModify' && Array.isArray(command.update);
};

/**
 * Counts the commands a connection sends (driver command monitoring; the connection must be
 * opened with `monitorCommands: true`). Handshakes and heartbeats are not counted.
 * Shared by the round-trip tests and `npm run bench`.
 */
export const commandCounter = (connection: Connection) => {
  const sent: SentCommand[] = [];
  /** BSON sizes of the replies, in the order they arrived. */
  const received: number[] = [];
  connection.getClient().on('commandSucceeded', (event) => {
    if (!ignored.has(event.commandName)) received.push(mongo.BSON.calculateObjectSize(event.reply as mongo.Document));
  });
  connection.getClient().on('commandStarted', (event) => {
    if (ignored.has(event.commandName)) return;
    sent.push({
      name: event.commandName,
      statements: statementsOf(event.commandName, event.command),
      bytes: mongo.BSON.calculateObjectSize(event.command),
      pipeline: usesPipeline(event.commandName, event.command),
      acknowledgements: event.commandName === 'update' ? (event.command.updates as { q?: Record<string, unknown> }[]).filter(isAcknowledgement).length : 0,
    });
  });
  return {
    /** Every command sent since the counter was attached, in order. */
    sent,
    received,
    /** The commands `fn` sent, by name, in order. */
    async during<T>(fn: () => Promise<T>): Promise<{ result: T; commands: string[] }> {
      const start = sent.length;
      const result = await fn();
      return { result, commands: sent.slice(start).map((command) => command.name) };
    },
  };
};
