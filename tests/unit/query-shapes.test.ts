import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bindingIndexes } from '../../src/attribution/binding.model.js';
import { leadIndexes } from '../../src/attribution/lead.model.js';
import { touchIndexes } from '../../src/attribution/touch.model.js';
import { referralCodeIndexes } from '../../src/codes/model.js';
import { resolveTenant } from '../../src/kernel/tenant.js';
import { referralIndexes } from '../../src/referrals/model.js';
import { referrerIndexes } from '../../src/referrers/model.js';
import { rollupIndexes } from '../../src/stats/rollup.model.js';
import type { IndexDeclaration } from '../../src/store/index-declaration.js';
import { type OwnedCollection, QUERY_SHAPES, type QueryShape } from '../../src/store/query-shapes.js';

const tenant = resolveTenant(undefined);
const idIndex: IndexDeclaration = { name: '_id_', keys: { _id: 1 }, serves: 'by id' };
const declared: Record<OwnedCollection, IndexDeclaration[]> = {
  referral_codes: [idIndex, ...referralCodeIndexes(tenant)],
  referrals: [idIndex, ...referralIndexes(tenant)],
  referral_touches: [idIndex, ...touchIndexes(tenant, 86_400)],
  referral_bindings: [idIndex, ...bindingIndexes(tenant)],
  referral_leads: [idIndex, ...leadIndexes(tenant)],
  referral_referrers: [idIndex, ...referrerIndexes(tenant)],
  referral_rollups: [idIndex, ...rollupIndexes(tenant)],
};

/**
 * Whether `index` can answer `shape` without a collection scan or an in-memory sort: its keys
 * are the tenant (when scoped), then equality fields, then the range/sort fields in order; and
 * every field of its partial filter is pinned by the query.
 */
const serves = (index: IndexDeclaration, shape: QueryShape): boolean => {
  const keys = Object.keys(index.keys);
  let i = 0;
  if (keys[0] === tenant.field) {
    if (!shape.tenantScoped) return false;
    i = 1;
  }
  const start = i;
  const equality = new Set(shape.equality);
  while (i < keys.length && equality.has(keys[i] as string)) i++;
  const ordered = [...new Set([...(shape.range ?? []), ...(shape.sort ?? [])])].filter((field) => !equality.has(field));
  for (const field of ordered) if (keys[i++] !== field) return false;
  const pinned = new Set([...shape.equality, ...(shape.range ?? [])]);
  const partialFields = Object.keys(index.partialFilterExpression ?? {});
  return i > start && partialFields.every((field) => pinned.has(field));
};

describe('query shapes', () => {
  it.each(QUERY_SHAPES.flatMap((shape) => shape.targets.map((target) => [shape.name, target.collection, target.index, shape] as const)))(
    '%s on %s is served by %s',
    (_name, collection, indexName, shape) => {
      const index = declared[collection].find((i) => i.name === indexName);
      expect(index, `${indexName} is declared on ${collection}`).toBeDefined();
      expect(serves(index as IndexDeclaration, shape)).toBe(true);
    },
  );

  it('the check rejects a shape no index serves', () => {
    const unindexed: QueryShape = {
      name: 'x',
      targets: [{ collection: 'referrals', index: 'rf_referral_source_unique' }],
      equality: ['sourceRef'],
      tenantScoped: true,
      hot: true,
    };
    expect(declared.referrals.some((index) => serves(index, unindexed))).toBe(false);
    const unsorted: QueryShape = { ...unindexed, equality: ['referrerRef', 'deletedAt'], sort: ['updatedAt'] };
    expect(declared.referrals.some((index) => serves(index, unsorted))).toBe(false);
  });

  it('every MongoDB call in src/ names a registered query shape', () => {
    const sourceFiles = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
      );
    const names = new Set(QUERY_SHAPES.map((s) => s.name));
    const call =
      /(?:\bcollection|Collection\([^()]*\))\.(find|findOne|findOneAndUpdate|findOneAndDelete|updateOne|updateMany|deleteOne|deleteMany|countDocuments|aggregate|bulkWrite)\(/; // inserts query nothing
    // The write executor (and its insert protocol), the outbox's erasure rewrite and the cursor readers run the caller's
    // query: their call sites name the shape, and only they themselves may mark a call `// query: *`.
    const seamCall = /\b(writes\.(insert|update|updateMany|transition|rewritePending|setEach)|findAll|aggregateAll|keysetPage)(<[^>]*>)?\(/;
    const seamFiles = new Set(['store/executor.ts', 'outbox/embedded-relay.ts', 'kernel/cursor.ts', 'store/keyset-page.ts', 'store/insert-if-absent.ts']);
    const unnamed: string[] = [];
    let calls = 0;
    let seamCalls = 0;
    for (const file of sourceFiles(join(import.meta.dirname, '../../src'))) {
      // Join chained calls split over lines so `collection\n  .find(` reads as one call.
      const lines = readFileSync(file, 'utf8')
        .replace(/\s*\n\s*\./g, '.')
        .split('\n');
      const inSeam = seamFiles.has(file.split(/[\\/]/).slice(-2).join('/'));
      lines.forEach((line, index) => {
        const isSeam = seamCall.test(line) && !/\bexport const\b/.test(line);
        if (!call.test(line) && !isSeam) return;
        calls++;
        if (isSeam) seamCalls++;
        const annotation = lines
          .slice(Math.max(0, index - 2), index)
          .join('\n')
          .match(/\/\/ query: ([\w.]+|\*)/);
        const named = annotation !== null && (names.has(annotation[1] as string) || (annotation[1] === '*' && inSeam));
        if (!named) unnamed.push(`${file}:${index + 1}: ${line.trim()}`);
      });
    }
    expect(calls).toBeGreaterThanOrEqual(20);
    expect(seamCalls).toBeGreaterThanOrEqual(6);
    expect(unnamed).toEqual([]);
  });
});
