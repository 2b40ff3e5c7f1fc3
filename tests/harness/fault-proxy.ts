import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { mongo } from 'mongoose';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** Where a random cut falls: before the request reaches the server, after it ran (reply lost), or halfway through the reply. */
export type CutMode = 'before' | 'after' | 'mid';

const CUT_MODES: readonly CutMode[] = ['before', 'after', 'mid'];

/** Connection chatter a random cut leaves alone: the run is about the commands of the verbs. */
const CHATTER = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'saslStart', 'saslContinue', 'endSessions', 'killCursors', 'buildInfo']);

/** A command seen on the wire: its name (`findAndModify`), the collection it names, and its statements (`updates`, `deletes`, ...). */
export interface WireCommand {
  name: string;
  collection: string;
  body: mongo.Document;
  /** Document sequences (OP_MSG kind 1), by identifier: the driver sends `updates` and `documents` this way. */
  sequences: Record<string, mongo.Document[]>;
}

/** Drops the reply to the next `times` commands that `matches` accepts: the command runs on the server, its answer never arrives. */
export interface CutRule {
  matches(command: WireCommand): boolean;
  times: number;
}

const HEADER = 16;
const OP_MSG = 2013;

/** BSON documents packed one after another. */
const documentsIn = (bytes: Buffer): mongo.Document[] => {
  const documents: mongo.Document[] = [];
  for (let at = 0; at < bytes.length; at += bytes.readInt32LE(at)) documents.push(mongo.BSON.deserialize(bytes.subarray(at, at + bytes.readInt32LE(at))));
  return documents;
};

/** The command of an OP_MSG request: its body section (kind 0), whose first key names it, and its document sequences (kind 1). */
const commandOf = (message: Buffer): WireCommand | null => {
  if (message.readInt32LE(12) !== OP_MSG) return null;
  let body: mongo.Document | null = null;
  const sequences: Record<string, mongo.Document[]> = {};
  for (let at = HEADER + 4; at < message.length; ) {
    const kind = message[at];
    const size = message.readInt32LE(at + 1);
    if (kind === 0) body = mongo.BSON.deserialize(message.subarray(at + 1, at + 1 + size));
    else {
      const end = message.indexOf(0, at + 5);
      sequences[message.toString('utf8', at + 5, end)] = documentsIn(message.subarray(end + 1, at + 1 + size));
    }
    at += 1 + size;
  }
  const name = body ? Object.keys(body)[0] : undefined;
  return body && name ? { name, collection: String(body[name]), body, sequences } : null;
};

/** Splits a byte stream into whole wire messages (each starts with its length). */
const messages = (onMessage: (message: Buffer) => void) => {
  let pending = Buffer.alloc(0);
  return (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= pending.readInt32LE(0)) {
      const length = pending.readInt32LE(0);
      onMessage(pending.subarray(0, length));
      pending = pending.subarray(length);
    }
  };
};

/**
 * A TCP proxy on 127.0.0.1 in front of a MongoDB server, for tests of what happens when a
 * connection is cut after a command reached the server: it forwards every message, and when
 * the reply to a command a rule names comes back, it closes the client's connection instead.
 */
export const startFaultProxy = async (target: { host: string; port: number }) => {
  const rules: CutRule[] = [];
  const seen: WireCommand[] = [];
  const cuts: Record<CutMode, number> = { before: 0, after: 0, mid: 0 };
  const stalls: { matches: (command: WireCommand) => boolean; until: Promise<void> }[] = [];
  let random: ((command: WireCommand) => CutMode | null) | null = null;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection(target);
    sockets.add(client).add(upstream);
    const cutReplies = new Map<number, CutMode>();
    const stalledReplies = new Map<number, Promise<void>>();
    client.on(
      'data',
      messages((message) => {
        const command = commandOf(message);
        if (command) seen.push(command);
        const rule = command ? rules.find((candidate) => candidate.times > 0 && candidate.matches(command)) : undefined;
        if (rule) rule.times--;
        const mode = rule ? 'after' : command && random ? random(command) : null;
        if (mode) cuts[mode]++;
        if (mode === 'before') return void client.destroy();
        if (mode) cutReplies.set(message.readInt32LE(4), mode);
        const stall = command ? stalls.find((candidate) => candidate.matches(command)) : undefined;
        if (stall) {
          stalls.splice(stalls.indexOf(stall), 1);
          stalledReplies.set(message.readInt32LE(4), stall.until);
        }
        upstream.write(message);
      }),
    );
    upstream.on(
      'data',
      messages((message) => {
        const stalled = stalledReplies.get(message.readInt32LE(8));
        if (stalled) return void stalled.then(() => client.destroyed || client.write(message));
        const mode = cutReplies.get(message.readInt32LE(8));
        if (mode === 'mid' && !client.destroyed) client.write(message.subarray(0, Math.floor(message.length / 2)));
        if (mode) client.destroy();
        else if (!client.destroyed) client.write(message);
      }),
    );
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    uri: `mongodb://127.0.0.1:${port}/?directConnection=true`,
    /** Cuts the connection instead of delivering the reply to the next `times` matching commands. */
    cutReply: (matches: (command: WireCommand) => boolean, times: number) => void rules.push({ matches, times }),
    /** Holds the reply to the next command `matches` accepts until `until` settles: a server that stalls on it. */
    stallReply: (matches: (command: WireCommand) => boolean, until: Promise<void>) => void stalls.push({ matches, until }),
    /** From now on, cuts about `perThousand` of every thousand commands at random points, reproducibly for a seed. */
    randomCuts: (seed: number, perThousand: number) => {
      const rng = xoroshiro128plus(seed);
      random = (command) => {
        if (CHATTER.has(command.name) || uniformInt(rng, 0, 999) >= perThousand) return null;
        return CUT_MODES[uniformInt(rng, 0, CUT_MODES.length - 1)] as CutMode;
      };
    },
    stopCuts: () => {
      random = null;
    },
    cuts,
    seen,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

/** A fault proxy in front of the server a test database uses (the first host of its URI). */
export const startFaultProxyFor = (mongoUri: string) => {
  const { hostname, port } = new URL(mongoUri.replace(/^mongodb(\+srv)?:\/\//, 'http://').split(',')[0] as string);
  return startFaultProxy({ host: hostname, port: Number(port || 27017) });
};
