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
  engine: ['erasure', 'stats', 'attribution', 'referrals', 'referrers', 'codes', 'approval', 'guards', 'money', 'events', 'store', 'kernel'],
  erasure: ['stats', 'attribution', 'referrals', 'referrers', 'codes', 'events', 'store', 'kernel'],
  stats: ['attribution', 'referrals', 'codes', 'money', 'store', 'kernel'],
  attribution: ['referrals', 'referrers', 'codes', 'guards', 'money', 'events', 'store', 'kernel'],
  referrals: ['referrers', 'codes', 'approval', 'guards', 'money', 'events', 'store', 'kernel'],
  referrers: ['events', 'store', 'kernel'],
  codes: ['events', 'store', 'kernel'],
  money: [],
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

  /** Lines of src/ outside the given files that match `pattern`. */
  const linesMatching = (pattern: RegExp, allowed: (name: string) => boolean): string[] =>
    files
      .filter((f) => !allowed(f.name))
      .flatMap((f) => f.text.split('\n').map((line, i) => ({ where: `${f.name}:${i + 1}`, line })))
      .filter(({ line }) => pattern.test(line))
      .map(({ where }) => where);

  it('only the outbox implementations write the outbox fields, and only the executor publishes and settles', () => {
    const outboxWrite = /\$unset:\s*\{\s*outbox|\boutbox:\s*\[|pendingEventsAt:\s*(now|scope\.now|new Date)|\$push:\s*\{\s*outbox/;
    expect(linesMatching(outboxWrite, (name) => name.startsWith('store/outbox/'))).toEqual([]);
    const publishing = /\.publish\(|\.publishMany\(|\.settle\(|\.insertFields\(|\.updateFields\(|\.save(\?\.)?\(events/;
    // The transport itself (the in-process bus's publishMany) publishes too.
    expect(linesMatching(publishing, (name) => ['store/executor.ts', 'events/publisher.ts', 'events/in-process-bus.ts'].includes(name))).toEqual([]);
  });

  it('the outbox strategy is chosen once, and branched on nowhere outside its two implementations', () => {
    const implementations = files.filter((f) => /\bimplements Outbox\b/.test(f.text)).map((f) => f.name);
    expect(implementations.sort()).toEqual(['store/outbox/embedded-outbox.ts', 'store/outbox/host-outbox.ts']);
    const choosing = /\bnew (HostOutbox|EmbeddedOutbox)\(/;
    expect(linesMatching(choosing, (name) => name === 'engine/wiring.ts')).toEqual([]);
    expect(files.find((f) => f.name === 'engine/wiring.ts')?.text.match(new RegExp(choosing, 'g'))).toHaveLength(2);
    const branching = /\bembedsEvents\b|\bif \(store\)|\bstore \?|instanceof (HostOutbox|EmbeddedOutbox)|\bstore\.(save|getPending|acknowledge)\(/;
    expect(linesMatching(branching, (name) => name === 'engine/wiring.ts' || name === 'store/outbox/host-outbox.ts')).toEqual([]);
  });

  it('one retry loop: only the executor retries a lost race', () => {
    const racing = /\bisDuplicateOn\(|\basDuplicateKey\(|\bbackoff\(|\bwithRaceRetry\(/;
    expect(linesMatching(racing, (name) => name === 'store/executor.ts' || name === 'kernel/duplicate-key.ts')).toEqual([]);
    // Unbounded loops: the retry loop, and the ack buffer's flush waiting for writes already under way (it retries nothing).
    const unbounded = linesMatching(/\bwhile \(|\bfor \(;;\)/, () => false);
    expect(unbounded.map((where) => where.split(':')[0]).sort()).toEqual(['store/executor.ts', 'store/outbox/ack-buffer.ts']);
  });

  it("events/ sends no database command: storing, acknowledging and parking are the outbox's", () => {
    const commands = /\.(find|findOne|findOneAndUpdate|updateOne|updateMany|bulkWrite|countDocuments|insertOne)\(/;
    expect(linesMatching(commands, (name) => folderOf(name) !== 'events')).toEqual([]);
  });

  it('every emitted event is built through its definition', () => {
    const building = files.filter((f) => /\bpayload:\s*\{|type:\s*REFERRAL_EVENTS/.test(f.text) && folderOf(f.name) !== 'events');
    expect(building.map((f) => f.name)).toEqual([]);
    const envelope = files.find((f) => f.name === 'events/definitions.ts');
    expect(envelope?.text).toMatch(/referralEventDefinitionsByName\[type\]\.create\(/);
  });

  it('no src line is over 160 characters', () => {
    expect(linesMatching(/^.{161,}$/, () => false)).toEqual([]);
  });
});
