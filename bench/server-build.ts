import type { Connection } from 'mongoose';

/** Which server answered the bench, from its own `buildInfo`: figures from anything but mongod are not mongod's. */
export interface ServerBuild {
  mongod: boolean;
  /** The version the server reports (the wire test server reports one it imitates). */
  version: string;
  /** mongod's source revision; absent from the wire test server's buildInfo. */
  gitVersion: string | null;
}

/** Reads `buildInfo` of a buildInfo reply: mongod always reports a `gitVersion`, the wire test server does not. */
export const serverBuildOf = (reply: Record<string, unknown>): ServerBuild => {
  const gitVersion = typeof reply.gitVersion === 'string' && reply.gitVersion.length > 0 ? reply.gitVersion : null;
  return { mongod: gitVersion !== null, version: typeof reply.version === 'string' ? reply.version : 'unknown', gitVersion };
};

export const serverBuild = async (connection: Connection): Promise<ServerBuild> => serverBuildOf(await connection.db!.admin().command({ buildInfo: 1 }));

/** The words the bench prints and records for the server. */
export const describeServer = (build: ServerBuild): string =>
  build.mongod
    ? `mongod ${build.version} (git ${build.gitVersion?.slice(0, 12)})`
    : `not mongod: buildInfo reports ${build.version} without a gitVersion (the wire test server)`;
