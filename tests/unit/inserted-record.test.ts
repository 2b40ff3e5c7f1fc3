import { mongo, Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { insertedRecord } from '../../src/store/insert-if-absent.js';

describe('insertedRecord: what the insert-if-absent upsert stored, built without the server', () => {
  const id = new Types.ObjectId();
  const at = new Date('2026-11-25T10:00:00Z');

  it('is seeded by the filter’s equalities (not its operators or dotted paths), then the doc, in that order, _id first', () => {
    const filter = { organizationId: 'acme', sourceRef: 'o-1', deletedAt: null, region: { $eq: 'eu' }, status: { $in: ['a'] }, 'a.b': 1, $or: [{ x: 1 }] };
    const record = insertedRecord(filter, { _id: id, status: 'converted', createdAt: at }, {});
    expect(Object.keys(record)).toEqual(['_id', 'organizationId', 'sourceRef', 'deletedAt', 'region', 'status', 'createdAt']);
    expect(record).toStrictEqual({ _id: id, organizationId: 'acme', sourceRef: 'o-1', deletedAt: null, region: 'eu', status: 'converted', createdAt: at });
  });

  it('stores undefined as the driver does: null by default, left out with ignoreUndefined, nested too', () => {
    const doc = { _id: id, note: undefined, review: { reason: undefined, rule: 'r' }, list: [undefined, 1] };
    expect(insertedRecord({}, doc, {})).toStrictEqual({ _id: id, note: null, review: { reason: null, rule: 'r' }, list: [null, 1] });
    expect(insertedRecord({}, doc, { ignoreUndefined: true })).toStrictEqual({ _id: id, review: { rule: 'r' }, list: [null, 1] });
    // The same as the BSON the driver sends for it.
    const sent = mongo.BSON.deserialize(mongo.BSON.serialize({ review: doc.review, list: doc.list }, { ignoreUndefined: true }));
    expect(sent).toStrictEqual({ review: { rule: 'r' }, list: [null, 1] });
  });

  const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
  const values: [string, unknown][] = [
    ['-0', -0],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['2^60', 2 ** 60],
    ['int32 edge', 2 ** 31],
    ['a fraction', 0.1],
    ['a lone surrogate', 'a\uD800b'],
    ['a surrogate pair', 'a\uD83D\uDE00b'],
    ['an empty string', ''],
    ['a Date', new Date(7)],
    ['an ObjectId', new Types.ObjectId()],
    ['a flat object', { rule: 'code', touchAt: new Date(9), n: -0 }],
    ['a flat array', [1, 'x', null, new Date(3)]],
    ['an empty array', []],
    ['an empty object', {}],
    ['a null-prototype object', nullProto],
    ['an object holding a lone surrogate', { s: '\uDC00' }],
    ['an array holding undefined', [undefined, 1]],
    ['an object holding undefined', { a: undefined, b: 1 }],
    ['nested objects', { a: { b: [{ c: new Date(1) }] } }],
    ['a Buffer', Buffer.from('hi')],
    ['a bigint-free Long', mongo.BSON.Long.fromNumber(5)],
  ];

  it.each(values)('gives back %s exactly as a BSON round trip does (the driver’s default options)', (_name, value) => {
    const doc = { _id: id, top: value, nested: { inner: value } };
    const options = { ignoreUndefined: false };
    expect(insertedRecord({}, doc, options)).toStrictEqual(mongo.BSON.deserialize(mongo.BSON.serialize(doc, options)));
  });

  it('gives copies: Dates and nested values are not the caller’s objects; field order follows the doc', () => {
    const attribution = { rule: 'code' };
    const doc = { _id: id, attribution, version: 0, createdAt: at, decisions: [] as unknown[] };
    const record = insertedRecord({}, doc, {});
    expect(Object.keys(record)).toEqual(['_id', 'attribution', 'version', 'createdAt', 'decisions']);
    expect(record.attribution).toEqual(attribution);
    expect(record.attribution).not.toBe(attribution);
    expect(record.createdAt).toEqual(at);
    expect(record.createdAt).not.toBe(at);
    expect(record.decisions).not.toBe(doc.decisions);
  });
});
