import { type Connection, Types } from 'mongoose';
import { type CreateReferralOptions, createReferral } from '../src/index.js';
import { commandCounter, type SentCommand } from '../tests/harness/command-counter.js';

export interface RoundTripRow {
  operation: string;
  commands: number;
  sent: string;
}

export interface WriteFootprint {
  sales: number;
  /** Callers selling at once. */
  concurrency: number;
  /** Commands sent per new sale, the batched acknowledgement updates included. */
  commandsPerSale: number;
  /** Write statements per new sale: 1 per findAndModify, one per update statement or inserted document. */
  writeStatementsPerSale: number;
  /** Of those, acknowledgement statements. */
  ackStatementsPerSale: number;
  /** BSON bytes of the commands sent, per new sale. */
  bytesSentPerSale: number;
  /** BSON bytes of the replies received, per new sale. */
  bytesReceivedPerSale: number;
  /** BSON bytes of the referral upsert command alone. */
  upsertBytes: number;
}

export const benchRoundTrips = async (openConnection: () => Promise<Connection>): Promise<{ rows: RoundTripRow[]; footprint: WriteFootprint[] }> => {
  const connection = await openConnection();
  const counter = commandCounter(connection);
  const count = async (operation: string, fn: () => Promise<unknown>): Promise<RoundTripRow> => {
    const { commands } = await counter.during(fn);
    return { operation, commands: commands.length, sent: commands.join(' + ') };
  };
  const engineWith = async (prefix: string, options: Partial<CreateReferralOptions> = {}) => {
    const engine = await createReferral({ connection, collectionPrefix: prefix, events: { ackDelayMs: 60_000 }, ...options });
    await engine.syncIndexes();
    return engine;
  };
  const ctx = { organizationId: new Types.ObjectId() };
  const sale = (code: string, sourceRef = new Types.ObjectId(), refereeRef = new Types.ObjectId()) => ({
    code,
    refereeRef,
    refereeModel: 'user',
    sourceRef,
    sourceModel: 'Order',
    amount: 4999,
    currency: 'USD',
  });

  const engine = await engineWith('rt_default_');
  const owner = new Types.ObjectId();
  const rows: RoundTripRow[] = [];
  rows.push(await count('generateCode (first)', () => engine.repositories.referralCode.generateCode(owner, 'user', ctx)));
  rows.push(await count('generateCode (repeat)', () => engine.repositories.referralCode.generateCode(owner, 'user', ctx)));
  const { code } = await engine.repositories.referralCode.generateCode(owner, 'user', ctx);
  rows.push(await count('resolveReferrer', () => engine.resolveReferrer(code, ctx)));
  rows.push(await count('attributeSale (first sale through a code)', () => engine.attributeSale(sale(code), ctx)));
  const [order, buyer] = [new Types.ObjectId(), new Types.ObjectId()];
  rows.push(await count('attributeSale (new sale)', () => engine.attributeSale(sale(code, order, buyer), ctx)));
  rows.push(await count('attributeSale (replay)', () => engine.attributeSale(sale(code, order, buyer), ctx)));
  rows.push(await count('attributeSale (unknown code)', () => engine.attributeSale(sale('UNKNOWN2'), ctx)));
  const capped = (await engine.repositories.referralCode.generateCode(new Types.ObjectId(), 'user', ctx, { maxConversions: 1_000 })).code;
  await engine.attributeSale(sale(capped), ctx);
  rows.push(await count('attributeSale (new sale, capped code)', () => engine.attributeSale(sale(capped), ctx)));
  const r = await engine.attributeSale(sale(code), ctx);
  rows.push(await count('approve', () => engine.repositories.referral.approve(String(r?._id), { decidedBy: 'bench' }, ctx)));
  rows.push(await count('listForReferrer (page)', () => engine.repositories.referral.listForReferrer(owner, { limit: 20 }, ctx)));

  const uncached = await engineWith('rt_uncached_', { codes: { cache: false } });
  const uncachedCode = (await uncached.repositories.referralCode.generateCode(owner, 'user', ctx)).code;
  const [order2, buyer2] = [new Types.ObjectId(), new Types.ObjectId()];
  rows.push(await count('attributeSale (new, cache: false)', () => uncached.attributeSale(sale(uncachedCode, order2, buyer2), ctx)));
  rows.push(await count('attributeSale (replay, cache: false)', () => uncached.attributeSale(sale(uncachedCode, order2, buyer2), ctx)));
  const unfenced = await engineWith('rt_unfenced_', { codes: { deactivationFence: false } });
  const unfencedCode = (await unfenced.repositories.referralCode.generateCode(owner, 'user', ctx)).code;
  rows.push(await count('attributeSale (new, deactivationFence: false)', () => unfenced.attributeSale(sale(unfencedCode), ctx)));
  const cachedUnfenced = await engineWith('rt_cached_unfenced_', { codes: { cache: { ttlMs: 60_000, max: 1_000 }, deactivationFence: false } });
  const cuCode = (await cachedUnfenced.repositories.referralCode.generateCode(owner, 'user', ctx)).code;
  await cachedUnfenced.attributeSale(sale(cuCode), ctx);
  rows.push(await count('attributeSale (new, deactivationFence: false, cache on)', () => cachedUnfenced.attributeSale(sale(cuCode), ctx)));

  const footprint = [await measureFootprint(connection, counter, sale, ctx, 1), await measureFootprint(connection, counter, sale, ctx, 16)];
  for (const e of [engine, uncached, unfenced, cachedUnfenced]) await e.destroy();
  await connection.close();
  return { rows, footprint };
};

/** Everything a default engine sends and receives for 496 new sales at a concurrency, acknowledgements included (default 25 ms batching). */
const measureFootprint = async (
  connection: Connection,
  log: { sent: readonly SentCommand[]; received: readonly number[] },
  sale: (code: string) => object,
  ctx: { organizationId: Types.ObjectId },
  concurrency: number,
): Promise<WriteFootprint> => {
  const SALES = 496; // a multiple of 16
  const engine = await createReferral({ connection, collectionPrefix: `rt_footprint_${concurrency}_` });
  await engine.syncIndexes();
  const { code } = await engine.repositories.referralCode.generateCode(new Types.ObjectId(), 'user', ctx);
  await engine.attributeSale(sale(code) as Parameters<typeof engine.attributeSale>[0], ctx); // caches the code
  await engine.events.redeliver();
  const start = log.sent.length;
  const startReceived = log.received.length;
  const caller = async () => {
    for (let i = 0; i < SALES / concurrency; i++) await engine.attributeSale(sale(code) as Parameters<typeof engine.attributeSale>[0], ctx);
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  await engine.destroy(); // flushes the last acknowledgement batch
  const sent = log.sent.slice(start);
  const received = log.received.slice(startReceived);
  const per = (n: number) => Number((n / SALES).toFixed(2));
  const upsert = sent.find((s) => s.name === 'findAndModify');
  return {
    sales: SALES,
    concurrency,
    commandsPerSale: per(sent.length),
    writeStatementsPerSale: per(sent.reduce((sum, s) => sum + s.statements, 0)),
    ackStatementsPerSale: per(sent.reduce((sum, s) => sum + (s.acknowledgements > 0 ? s.statements : 0), 0)),
    bytesSentPerSale: per(sent.reduce((sum, s) => sum + s.bytes, 0)),
    bytesReceivedPerSale: per(received.reduce((sum, n) => sum + n, 0)),
    upsertBytes: upsert?.bytes ?? 0,
  };
};
