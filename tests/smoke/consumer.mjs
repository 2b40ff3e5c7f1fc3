// A strict TypeScript consumer of the packed tarball: README's snippets compile against what npm
// would publish (dist's declarations through the package's exports), not against src.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '../..');
// Inside the repository, so the package's dependencies and peers resolve from its node_modules.
const consumer = join(root, 'tests/.consumer');
rmSync(consumer, { recursive: true, force: true });
mkdirSync(join(consumer, 'node_modules/@classytic/referral'), { recursive: true });

const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', consumer], { cwd: root, encoding: 'utf8' }));
execFileSync('tar', ['-xzf', join(consumer, packed.filename), '-C', join(consumer, 'node_modules/@classytic/referral'), '--strip-components=1']);

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const files = [...readme.matchAll(/<!-- prelude: ([\s\S]*?) -->\n```ts\n([\s\S]*?)```/g)].map((match) => {
  const file = join(consumer, `readme-line-${readme.slice(0, match.index).split('\n').length}.ts`);
  writeFileSync(file, `${match[1].trim()}\n${match[2]}\nexport {};\n`);
  return file;
});
writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'strict-consumer', private: true, type: 'module' }));

const options = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2023.d.ts'],
  types: ['node'],
  typeRoots: [join(root, 'node_modules/@types')],
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  verbatimModuleSyntax: true,
  skipLibCheck: true,
  noEmit: true,
};
const program = ts.createProgram([...files, join(root, 'tests/docs/family-modules.d.ts')], options);
const resolved = ts.resolveModuleName('@classytic/referral', files[0], options, ts.sys).resolvedModule?.resolvedFileName ?? '';
const errors = ts
  .getPreEmitDiagnostics(program)
  .filter((d) => d.file && files.includes(d.file.fileName))
  .map((d) => `${d.file.fileName.split('/').at(-1)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);

const failures = [];
if (files.length < 5) failures.push(`found ${files.length} README snippets, expected at least 5`);
if (!resolved.includes('tests/.consumer/node_modules/@classytic/referral/dist/'))
  failures.push(`@classytic/referral resolved to ${resolved}, not the packed dist`);
failures.push(...errors);
for (const failure of failures) console.error(`not ok: ${failure}`);
if (failures.length === 0) console.log(`ok: ${files.length} README snippets compile in a strict consumer of ${packed.filename}`);
rmSync(consumer, { recursive: true, force: true });
process.exit(failures.length === 0 ? 0 : 1);
