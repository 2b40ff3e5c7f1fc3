import mongoose, { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { type CreateReferralOptions, createReferral, type ReferralContext } from '../../src/index.js';
import { insertedRecord, insertIfAbsent } from '../../src/store/insert-if-absent.js';
import { PUBLIC_PROJECTION } from '../../src/store/outbox/fields.js';
import { useTestDatabase } from '../harness/database.js';
import { createTestEngine, leadModel, newTenantContext, oid } from '../harness/engine.js';

const db = useTestDatabase();

/** What a read of the same record returns to a caller (the outbox fields left out). */
const readBack = (collection: { findOne(filter: object, options: object): Promise<unknown> }, id: unknown) =>
  collection.findOne({ _id: id }, { projection: PUBLIC_PROJECTION });

const sale = (code: string, extra: Record<string, unknown> = {}) => ({
  code,
  refereeRef: oid(),
  refereeModel: 'user',
  sourceRef: oid(),
  sourceModel: 'Order',
  ...extra,
});

const metadata = () => ({
  amount: 129.5,
  qty: 2,
  big: 2 ** 40,
  negativeZero: -0,
  currency: 'EUR',
  items: [{ sku: 'A-1', at: new Date('2026-11-01T10:00:00Z') }, null, 3],
  seller: new Types.ObjectId(),
  nested: { deep: { flag: true, empty: {} } },
});

const cases: { name: string; options: Partial<CreateReferralOptions>; ctx: ReferralContext; viaTouch?: boolean }[] = [
  { name: 'defaults', options: {}, ctx: newTenantContext() },
  {
    name: 'under review, with a threshold step skipped',
    options: {
      review: {
        chain: () => ({
          steps: [
            { id: 'finance', approvers: ['f1'] },
            { id: 'big', approvers: ['cfo'], threshold: { field: 'metadata.amount', op: 'gt', value: 1000 } },
          ],
        }),
      },
    },
    ctx: newTenantContext(),
  },
  {
    name: 'flagged by a guard',
    options: { guards: [() => ({ outcome: 'flag', rule: 'manual', reason: 'spot check' }), () => ({ outcome: 'accept', rule: 'ok' })] },
    ctx: newTenantContext(),
  },
  {
    name: 'through a touch, string tenant',
    options: { tenant: { tenantField: 'workspace', fieldType: 'string' } },
    ctx: { workspace: 'acme-eu' } as ReferralContext,
    viaTouch: true,
  },
  { name: 'single-tenant', options: { tenant: false }, ctx: { actorId: 'ops' } },
  {
    name: 'custom tenant scope with an extra field',
    options: { tenant: { strategy: 'custom', resolve: (ctx) => ({ organizationId: ctx.organizationId, region: 'eu-\uD800' }) } },
    ctx: newTenantContext(),
  },
];

describe('the record returned for a new insert is the one the server stored (no document is sent back for it)', () => {
  it.each(cases)('attributeSale, $name: returned record equals a read, strictly', async ({ options, ctx, viaTouch }) => {
    const { engine } = await createTestEngine(db.connection, options);
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    if (viaTouch) await engine.trackVisit({ code, visitorId: 'cookie-1' }, ctx);
    const input = viaTouch
      ? { visitorId: 'cookie-1', refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order', metadata: metadata() }
      : sale(code, { metadata: metadata() });
    const outcome = await engine.attributeSaleWithOutcome(input, ctx);
    expect(outcome?.created).toBe(true);
    const stored = await readBack(engine.models.Referral.collection, outcome?.referral._id);
    expect(outcome?.referral).toStrictEqual(stored);
    expect(Object.keys(outcome?.referral ?? {}).sort()).toEqual(Object.keys(stored ?? {}).sort());
    // The replay reads the same record back from the server.
    expect((await engine.attributeSaleWithOutcome(input, ctx))?.referral).toStrictEqual(stored);
  });

  it('generateCode, claimVanityCode, recordConversion with a named referrer, and a lead: each returned record equals a read', async () => {
    const { engine } = await createTestEngine(db.connection, { attribution: { leads: true } });
    const ctx = newTenantContext();
    const owner = oid();
    const generated = await engine.repositories.referralCode.generateCode(owner, 'user', ctx);
    expect(generated).toStrictEqual(await readBack(engine.models.ReferralCode.collection, generated._id));
    const vanity = await engine.repositories.referralCode.claimVanityCode(owner, 'user', 'CHRIS', ctx);
    expect(vanity).toStrictEqual(await readBack(engine.models.ReferralCode.collection, vanity._id));
    const named = await engine.repositories.referral.recordConversion(
      { referrerRef: owner, referrerModel: 'user', refereeRef: oid(), refereeModel: 'user', sourceRef: oid(), sourceModel: 'Order' },
      ctx,
    );
    expect(named).toStrictEqual(await readBack(engine.models.Referral.collection, named?._id));
    const lead = await engine.attributeSignup({ code: generated.code, refereeRef: oid(), refereeModel: 'user', metadata: metadata() }, ctx);
    expect(lead).toStrictEqual(await readBack(leadModel(engine).collection, lead?._id));
  });

  it('the caller gets its own copies: changing the returned record, or the metadata passed in, changes nothing stored or cached', async () => {
    const { engine } = await createTestEngine(db.connection);
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const hostMetadata = metadata();
    const first = await engine.attributeSale(sale(code, { metadata: hostMetadata }), ctx);
    if (!first) throw new Error('expected a referral');
    const stored = await readBack(engine.models.Referral.collection, first._id);
    hostMetadata.items[0] = { sku: 'changed', at: new Date(0) };
    hostMetadata.nested.deep.flag = false;
    expect(first).toStrictEqual(stored);
    (first.attribution as { rule: string }).rule = 'mutated';
    first.convertedAt.setTime(0);
    // The second sale resolves the code from the cache: its attribution must not be the mutated object.
    const second = await engine.attributeSale(sale(code), ctx);
    expect(second?.attribution).toEqual({ rule: 'code' });
    expect(second?.createdAt.getTime()).toBeGreaterThan(0);
    expect(await readBack(engine.models.Referral.collection, first._id)).toStrictEqual(stored);
  });

  it.each([{ ignoreUndefined: false }, { ignoreUndefined: true }, { promoteValues: false }])(
    'matches what the server stored through the driver, undefined and -0 included (%o)',
    async (options) => {
      const connection = await db.openConnection(options);
      const collection = connection
        .getClient()
        .db(connection.name)
        .collection(`inserted_${JSON.stringify(options).replace(/\W/g, '')}`);
      const filter = {
        organizationId: oid(),
        sourceRef: 'o-1',
        deletedAt: null,
        region: { $eq: 'eu' },
        label: 'a\uD800',
        kind: { $in: ['x'] },
        nested: { exact: 1 },
      };
      const doc = {
        _id: oid(),
        note: undefined,
        zero: -0,
        big: 2 ** 53,
        review: { reason: undefined, rule: 'r', at: new Date(5) },
        list: [undefined, { a: undefined }],
        createdAt: new Date(),
      };
      await collection.findOneAndUpdate(filter, insertIfAbsent(doc), { upsert: true, returnDocument: 'before' });
      expect(insertedRecord(filter, doc, collection.bsonOptions)).toStrictEqual(await collection.findOne({ _id: doc._id }));
    },
  );

  it('holds on a connection still opening when the call starts (its commands wait in mongoose’s buffer)', async () => {
    const connection = mongoose.createConnection(db.uri, { dbName: `${db.connection.name}_opening`, autoIndex: false, autoCreate: false });
    try {
      const engine = await createReferral({ connection, collectionPrefix: 'opening_', logger: null });
      const ctx = newTenantContext();
      const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
      const referral = await engine.attributeSale(sale(code), ctx);
      expect(referral).toStrictEqual(await readBack(engine.models.Referral.collection, referral?._id));
      await engine.destroy();
      await connection.dropDatabase();
    } finally {
      await connection.close();
    }
  });

  it('a new sale’s upsert is answered without the document; a replay’s carries it', async () => {
    const connection = await db.openConnection({ monitorCommands: true });
    const { engine } = await createTestEngine(connection);
    const ctx = newTenantContext();
    const { code } = await engine.repositories.referralCode.generateCode(oid(), 'user', ctx);
    const replies: { value: unknown; upserted: unknown }[] = [];
    connection.getClient().on('commandSucceeded', (event) => {
      const reply = event.reply as { value?: unknown; lastErrorObject?: { upserted?: unknown } };
      if (event.commandName === 'findAndModify') replies.push({ value: reply.value, upserted: reply.lastErrorObject?.upserted });
    });
    const input = sale(code);
    const created = await engine.attributeSale(input, ctx);
    await engine.attributeSale(input, ctx);
    expect(replies).toHaveLength(2);
    expect(replies[0]).toEqual({ value: null, upserted: created?._id });
    expect(replies[1]?.upserted).toBeUndefined();
    expect(replies[1]?.value).toMatchObject({ _id: created?._id, sourceRef: input.sourceRef });
  });
});
