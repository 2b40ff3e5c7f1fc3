import { isDeepStrictEqual } from 'node:util';
import type { Model } from 'mongoose';
import { type IndexDeclaration, OWNED_INDEX_PREFIX } from './index-declaration.js';

/** A model this package owns, with the indexes declared for its collection. */
export interface OwnedModel {
  model: Model<never>;
  indexes: IndexDeclaration[];
}

export interface SyncIndexesReport {
  /** Per collection: index names created and dropped. */
  [collection: string]: { created: string[]; dropped: string[] };
}

interface ExistingIndex {
  name: string;
  key: Record<string, unknown>;
  unique?: boolean;
  partialFilterExpression?: Record<string, unknown>;
  expireAfterSeconds?: number;
}

const sameSpec = (existing: ExistingIndex, declared: IndexDeclaration): boolean =>
  isDeepStrictEqual(
    Object.entries(existing.key).map(([k, v]) => [k, Number(v)]),
    Object.entries(declared.keys),
  ) &&
  Boolean(existing.unique) === Boolean(declared.unique) &&
  isDeepStrictEqual(existing.partialFilterExpression ?? null, declared.partialFilterExpression ?? null) &&
  (existing.expireAfterSeconds ?? null) === (declared.expireAfterSeconds ?? null);

/**
 * Brings each owned collection to exactly its declared indexes: creates the missing ones and
 * drops indexes this package owns (named `rf_*`) that are no longer declared or whose spec
 * changed. Indexes a host added under other names are left alone. Any failure rejects.
 */
export const syncOwnedIndexes = async (owned: readonly OwnedModel[]): Promise<SyncIndexesReport> => {
  const report: SyncIndexesReport = {};
  for (const { model, indexes } of owned) {
    await model.createCollection();
    const collection = model.collection;
    const existing = (await collection.listIndexes().toArray()) as unknown as ExistingIndex[];
    const dropped: string[] = [];
    for (const index of existing) {
      if (!index.name.startsWith(OWNED_INDEX_PREFIX)) continue;
      const declared = indexes.find((d) => d.name === index.name);
      if (declared && sameSpec(index, declared)) continue;
      await collection.dropIndex(index.name);
      dropped.push(index.name);
    }
    const kept = new Set(existing.map((i) => i.name).filter((name) => !dropped.includes(name)));
    const missing = indexes.filter((d) => !kept.has(d.name));
    // Through the model's own static (the schema carries the same declarations), so a failing
    // build rejects here, and a host or a conformance suite that watches index I/O sees it.
    await model.createIndexes();
    report[collection.collectionName] = { created: missing.map((d) => d.name), dropped };
  }
  return report;
};
