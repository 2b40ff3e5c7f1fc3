import { type Connection, Types } from 'mongoose';
import { createReferral, type CreateReferralOptions } from '../src/index.js';

export interface RoundTripRow {
  operation: string;
  commands: number;
  sent: string;
}

const handshake = new Set(['hello', 'ismaster', 'isMaster', 'endSessions', 'ping']);

/**
 * Commands each verb awaits, from the driver's command monitoring (the connection is opened
 * with monitorCommands). Acks are batched off the caller's path and reported separately.
 */
export const benchRoundTrips = async (openConnection: () => Promise<Connection>): Promise<{ rows: RoundTripRow[]; acksPerNewSale: number }> => {
  const connection = await openConnection();
  const seen: string[] = [];
  connection.getClient().on('commandStarted', (event) => {
    if (!handshake.has(event.commandName)) seen.push(event.commandName);
  });
  const count = async (operation: string, fn: () => Promise<unknown>): Promise<RoundTripRow> => {
    const start = seen.length;
    await fn();
    const sent = seen.slice(start);
    return { operation, commands: sent.length, sent: sent.join(' + ') };
  };
  const engineWith = async (prefix: string, options: Partial<CreateReferralOptions> = {}) => {
    const engine = await createReferral({ connection, collectionPrefix: prefix, events: { ackDelayMs: 60_000 }, ...options });
    await engine.syncIndexes();
    return engine;
  };
  const ctx = { organizationId: new Types.ObjectId() };
  const sale = (code: string, sourceRef = new Types.ObjectId()) => ({ code, refereeRef: new Types.ObjectId(), refereeModel: 'user', sourceRef, sourceModel: 'Order' });

  const engine = await engineWith('rt_default_');
  const owner = new Types.ObjectId();
  const rows: RoundTripRow[] = [];
  rows.push(await count('generateCode (first)', () => engine.repositories.referralCode.generateCode(owner, 'user', ctx)));
  rows.push(await count('generateCode (repeat)', () => engine.repositories.referralCode.generateCode(owner, 'user', ctx)));
  const { code } = await engine.repositories.referralCode.generateCode(owner, 'user', ctx);
  rows.push(await count('resolveReferrer', () => engine.resolveReferrer(code, ctx)));
  const order = new Types.ObjectId();
  rows.push(await count('attributeSale (new sale)', () => engine.attributeSale(sale(code, order), ctx)));
  rows.push(await count('attributeSale (replay)', () => engine.attributeSale(sale(code, order), ctx)));
  rows.push(await count('attributeSale (unknown code)', () => engine.attributeSale(sale('UNKNOWN2'), ctx)));
  const r = await engine.attributeSale(sale(code), ctx);
  rows.push(await count('approve', () => engine.repositories.referral.approve(String(r?._id), { decidedBy: 'bench' }, ctx)));
  rows.push(await count('listForReferrer (page)', () => engine.repositories.referral.listForReferrer(owner, { limit: 20 }, ctx)));

  const unfenced = await engineWith('rt_unfenced_', { codes: { deactivationFence: false } });
  const unfencedCode = (await unfenced.repositories.referralCode.generateCode(owner, 'user', ctx)).code;
  rows.push(await count('attributeSale (new, deactivationFence: false)', () => unfenced.attributeSale(sale(unfencedCode), ctx)));
  const cached = await engineWith('rt_cached_', { codes: { cache: { ttlMs: 60_000, max: 1_000 } } });
  const cachedCode = (await cached.repositories.referralCode.generateCode(owner, 'user', ctx)).code;
  await cached.resolveReferrer(cachedCode, ctx);
  rows.push(await count('attributeSale (new, code cache)', () => cached.attributeSale(sale(cachedCode), ctx)));
  const cachedUnfenced = await engineWith('rt_cached_unfenced_', { codes: { cache: { ttlMs: 60_000, max: 1_000 }, deactivationFence: false } });
  const cuCode = (await cachedUnfenced.repositories.referralCode.generateCode(owner, 'user', ctx)).code;
  await cachedUnfenced.resolveReferrer(cuCode, ctx);
  rows.push(await count('attributeSale (new, code cache, deactivationFence: false)', () => cachedUnfenced.attributeSale(sale(cuCode), ctx)));

  // Acks with the default 25 ms batching, amortized over 500 sequential new sales.
  const batched = await createReferral({ connection, collectionPrefix: 'rt_acks_' });
  await batched.syncIndexes();
  const batchedCode = (await batched.repositories.referralCode.generateCode(owner, 'user', ctx)).code;
  const start = seen.length;
  for (let i = 0; i < 500; i++) await batched.attributeSale(sale(batchedCode), ctx);
  await batched.destroy();
  const acks = seen.slice(start).filter((name) => name === 'update').length;
  for (const e of [engine, unfenced, cached, cachedUnfenced]) await e.destroy();
  await connection.close();
  return { rows, acksPerNewSale: Number((acks / 500).toFixed(3)) };
};
