import { AsyncLocalStorage } from 'node:async_hooks';

/** MongoDB commands one verb call sent, for its trace span. */
export interface CommandCount {
  commands: number;
}

const current = new AsyncLocalStorage<CommandCount>();

/** Runs `fn` counting the commands it sends. */
export const countingCommands = <T>(count: CommandCount, fn: () => Promise<T>): Promise<T> => current.run(count, fn);

/** Called once per command sent; a no-op outside a counted call. */
export const countCommand = (): void => {
  const count = current.getStore();
  if (count) count.commands++;
};
