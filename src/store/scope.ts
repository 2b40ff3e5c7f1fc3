import { AsyncLocalStorage } from 'node:async_hooks';
import type { mongo } from 'mongoose';
import { PublishBudget } from '../events/publisher.js';
import { type CheckedContext, parseContext, type ReferralContext } from '../kernel/context.js';
import { ReferralError } from '../kernel/errors.js';
import { type Access, type ResolvedTenant, type TenantFilter, tenantScope } from '../kernel/tenant.js';
import { PUBLIC_PROJECTION } from './outbox/fields.js';

type DriverOptions = { session?: mongo.ClientSession };

/** The validated ctx, with the tenant it resolved to (`organizationId`, as events carry it). */
type ScopedContext = CheckedContext & { organizationId?: string };

/**
 * Everything one verb call needs, built once at its top: the tenant equality every filter and
 * insert carries, the caller's session for every command, one clock reading and one publish budget.
 */
export interface CallScope {
  readonly ctx: ScopedContext;
  /** `{ organizationId: <id> }`, or `{}` in single-tenant mode. */
  readonly tenant: TenantFilter;
  /** Driver options for every command: the caller's session, when given. */
  readonly options: DriverOptions;
  /** Driver options for reads returned to callers: the session plus the public projection. */
  readonly read: DriverOptions & { projection: typeof PUBLIC_PROJECTION };
  readonly now: Date;
  /** True inside the caller's transaction: events are then published by redeliver after commit. */
  readonly inTransaction: boolean;
  /** The time this call may spend publishing, shared by all its events (`events.publishTimeoutMs`). */
  readonly budget: PublishBudget;
  /** Tenant equality plus `fields`. */
  where<F extends object>(fields: F): TenantFilter & F;
  /** Tenant equality plus `fields`, live (not soft-deleted) records only. */
  live<F extends object>(fields: F): TenantFilter & F & { deletedAt: null };
}

/** Whether the engine still accepts calls; shared by every verb of one engine. */
export class EngineLifecycle {
  destroyed = false;

  assertOpen(): void {
    if (this.destroyed) throw new ReferralError('engine_destroyed', 'This referral engine was destroyed', 409);
  }
}

export type OpenScope = (ctx: ReferralContext | undefined, access?: Access) => CallScope;

/** First step of every verb: refuses a destroyed engine and a missing tenant, before any I/O. */
export const scopeOpener =
  (tenant: ResolvedTenant, lifecycle: EngineLifecycle, publishTimeoutMs: number): OpenScope =>
  (ctx, access = 'write') => {
    lifecycle.assertOpen();
    const checked = parseContext(ctx);
    const filter = tenantScope(tenant, checked.raw, access);
    const tenantValue = filter[tenant.field];
    const context: ScopedContext = tenantValue === undefined ? checked : { ...checked, organizationId: String(tenantValue) };
    const options: DriverOptions = context.session ? { session: context.session as unknown as mongo.ClientSession } : {};
    return {
      ctx: context,
      tenant: filter,
      options,
      read: { projection: PUBLIC_PROJECTION, ...options },
      now: new Date(),
      inTransaction: context.session?.inTransaction() === true,
      budget: new PublishBudget(publishTimeoutMs),
      where: (fields) => ({ ...filter, ...fields }),
      live: (fields) => ({ ...filter, ...fields, deletedAt: null }),
    };
  };

/** MongoDB commands one verb call sent, for its trace span. */
export interface CommandCount {
  commands: number;
}

const current = new AsyncLocalStorage<CommandCount>();

/** Runs `fn` counting the commands it sends. */
export const countingCommands = <T>(count: CommandCount, fn: () => Promise<T>): Promise<T> => current.run(count, fn);

/** Called once per command sent; a no-op outside a counted call. */
const countCommand = (): void => {
  const count = current.getStore();
  if (count) count.commands++;
};
/** Collection methods that send one command each
 (cursor reads count their find or aggregate). */
const COMMANDS = new Set([
  'find',
  'findOne',
  'findOneAndUpdate',
  'updateOne',
  'updateMany',
  'insertOne',
  'bulkWrite',
  'aggregate',
  'countDocuments',
  'deleteOne',
  'deleteMany',
]);

/**
 * The driver collection behind a mongoose model: verbs validate their input and read lean. Each
 * command goes to the driver's own collection once the connection is open (mongoose's wrapper
 * adds a promise layer per command), and through mongoose's wrapper before that, so commands
 * sent while the connection is still opening wait for it like any other (up to
 * `bufferTimeoutMS`). Each command method counts itself for the calling verb's trace span.
 */
export const driverCollection = <T extends mongo.Document>(model: { collection: unknown }): mongo.Collection<T> => {
  const wrapper = model.collection as mongo.Collection<T> & { collection?: mongo.Collection<T> | null };
  const target = () => wrapper.collection ?? wrapper;
  const counted = new Map<PropertyKey, (...args: unknown[]) => unknown>();
  return new Proxy(wrapper, {
    get(_wrapper, property) {
      const collection = target();
      const value: unknown = Reflect.get(collection, property);
      if (typeof value !== 'function' || !COMMANDS.has(String(property))) return typeof value === 'function' ? value.bind(collection) : value;
      let method = counted.get(property);
      if (!method) {
        method = (...args: unknown[]) => {
          countCommand();
          const current = target();
          return (Reflect.get(current, property) as (...a: unknown[]) => unknown).apply(current, args);
        };
        counted.set(property, method);
      }
      return method;
    },
  });
};

/**
 * Independent reads of one call: sent together, or one after another inside the caller's
 * transaction, where the driver does not support operations in parallel on its session (NODE-6191).
 */
export const readTogether = async <T extends readonly unknown[]>(scope: CallScope, reads: { [K in keyof T]: () => Promise<T[K]> }): Promise<T> => {
  if (!scope.inTransaction) return (await Promise.all(reads.map((read) => read()))) as unknown as T;
  const results: unknown[] = [];
  for (const read of reads) results.push(await read());
  return results as unknown as T;
};
