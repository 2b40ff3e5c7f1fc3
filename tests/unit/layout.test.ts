import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const srcDir = resolve(import.meta.dirname, '../../src');

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );

const files = sourceFiles(srcDir).map((path) => ({ path, name: relative(srcDir, path), text: readFileSync(path, 'utf8') }));

/** The folder a file belongs to; files at the top of src/ are the published entry points. */
const folderOf = (name: string): string => (name.includes('/') ? (name.split('/')[0] as string) : '(entry)');

/**
 * The house: each folder may import only from the folders listed for it, all of them lower.
 * Documented in PACKAGE_RULES.md ("Layout").
 */
const ALLOWED: Record<string, readonly string[]> = {
  engine: ['erasure', 'attribution', 'referrals', 'codes', 'approval', 'guards', 'events', 'store', 'kernel'],
  erasure: ['attribution', 'referrals', 'codes', 'events', 'store', 'kernel'],
  attribution: ['referrals', 'codes', 'guards', 'events', 'store', 'kernel'],
  referrals: ['codes', 'approval', 'guards', 'events', 'store', 'kernel'],
  codes: ['events', 'store', 'kernel'],
  approval: ['kernel'],
  guards: ['kernel'],
  store: ['events', 'kernel'],
  events: ['kernel'],
  kernel: [],
};

/** Relative imports (values and types alike) as folder -> folder edges. */
const folderEdges = (): { from: string; to: string; file: string }[] =>
  files.flatMap((file) =>
    [...file.text.matchAll(/(?:import|export)[^'";]*?from\s+'(\.[^']+)'/g)].map((match) => ({
      from: folderOf(file.name),
      to: folderOf(relative(srcDir, resolve(join(srcDir, file.name, '..'), match[1] as string))),
      file: file.name,
    })),
  );

const findCycle = (edges: { from: string; to: string }[]): string[] | null => {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of edges) if (from !== to) graph.set(from, (graph.get(from) ?? new Set()).add(to));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (node: string, path: string[]): string[] | null => {
    if (state.get(node) === 'visiting') return [...path.slice(path.indexOf(node)), node];
    if (state.get(node) === 'done') return null;
    state.set(node, 'visiting');
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next, [...path, node]);
      if (cycle) return cycle;
    }
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node, []);
    if (cycle) return cycle;
  }
  return null;
};

/** Every function-like node with its line span. */
const functionSpans = (file: { path: string; text: string; name: string }): { where: string; lines: number }[] => {
  const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.ES2022, true);
  const spans: { where: string; lines: number }[] = [];
  const walk = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      spans.push({ where: `${file.name}:${start + 1}`, lines: end - start + 1 });
    }
    ts.forEachChild(node, walk);
  };
  walk(source);
  return spans;
};

describe('layout of src/', () => {
  it('folders import only downward, so there is no folder cycle', () => {
    const edges = folderEdges();
    expect(edges.length).toBeGreaterThan(100);
    const upward = edges.filter(({ from, to }) => from !== to && from !== '(entry)' && !(ALLOWED[from] ?? []).includes(to));
    expect(upward.map((e) => `${e.file}: ${e.from} -> ${e.to}`)).toEqual([]);
    expect(findCycle(edges)).toBeNull();
  });

  it('the cycle finder finds a cycle', () => {
    expect(
      findCycle([
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'a' },
      ]),
    ).toEqual(['a', 'b', 'c', 'a']);
    expect(
      findCycle([
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
      ]),
    ).toBeNull();
  });

  it('no file is over 250 lines', () => {
    const long = files.map((f) => ({ name: f.name, lines: f.text.split('\n').length })).filter((f) => f.lines > 250);
    expect(long).toEqual([]);
  });

  it('no function is over 60 lines', () => {
    const spans = files.flatMap(functionSpans);
    expect(spans.length).toBeGreaterThan(100);
    expect(spans.filter((s) => s.lines > 60).map((s) => `${s.where} (${s.lines} lines)`)).toEqual([]);
  });

  it('only store/ and events/ publish after a write or write the outbox fields', () => {
    const outboxWrite = /afterWrite\(|outboxOnInsert\(|outboxOnUpdate\(|\$unset:\s*\{\s*outbox|\boutbox:\s*\[|pendingEventsAt:\s*(now|scope\.now|new Date)/;
    const offenders = files
      .filter((f) => !['store', 'events'].includes(folderOf(f.name)))
      .flatMap((f) => f.text.split('\n').map((line, i) => ({ where: `${f.name}:${i + 1}`, line })))
      .filter(({ line }) => outboxWrite.test(line));
    expect(offenders).toEqual([]);
  });

  it('every emitted event is built through its definition', () => {
    const building = files.filter((f) => /\bpayload:\s*\{|type:\s*REFERRAL_EVENTS/.test(f.text) && folderOf(f.name) !== 'events');
    expect(building.map((f) => f.name)).toEqual([]);
    const publisher = files.find((f) => f.name === 'events/publisher.ts');
    expect(publisher?.text).toMatch(/referralEventDefinitionsByName\[type\]\.create\(/);
  });
});
